import { TokenStore } from "../box/auth/token-store";
import { NodeAPI } from "../shared/node-red-types";
import { Admin, Request, Response } from "./admin-request";
import { handleCallback, handleStart, handleStatus } from "./oauth2-authorize";
import { handleFolders } from "./folder-picker-dialog";
import { handleTest } from "./test-connection";

/**
 * The config dialog's admin endpoints: test the credentials, and OAuth 2's authorization-code flow
 * (start → Box's consent page → callback → status), the folder picker before deploy. The callback carries no admin token (it is a
 * browser redirect from Box); the single-use `state`, bound to one node and 10 minutes, guards it.
 */
export function registerAdminEndpoints(RED: NodeAPI, store: TokenStore): void {
  const write = RED.auth.needsPermission("box-config.write");
  const read = RED.auth.needsPermission("box-config.read");
  const admin: Admin = { RED, store, pending: new Map() };
  RED.httpAdmin.post("/box-config/test", write, (req: Request, res: Response) => handleTest(admin, req, res));
  RED.httpAdmin.post("/box-config/folders", write, (req: Request, res: Response) => handleFolders(admin, req, res));
  RED.httpAdmin.post("/box-config/oauth2/start", write, (req: Request, res: Response) => handleStart(admin, req, res));
  RED.httpAdmin.get("/box-config/oauth2/callback", (req: Request, res: Response) => handleCallback(admin, req, res));
  RED.httpAdmin.get("/box-config/oauth2/status", read, (req: Request, res: Response) => handleStatus(admin, req, res));
}
