import { operationsForEditor } from "../box/api/operations";
import { NodeAPI } from "../shared/node-red-types";

/**
 * `GET {httpAdminRoot}/box-api/operations`: the operations and the fields each shows, from the one list the
 * runtime runs (`nodes/box/api/operations.ts`), so the dialog never disagrees with the node.
 */
export function registerOperationsEndpoint(RED: NodeAPI): void {
  const read = RED.auth.needsPermission("box-api.read");
  RED.httpAdmin.get("/box-api/operations", read, (_req: unknown, res: { json(body: unknown): void }) => {
    res.json(operationsForEditor());
  });
}
