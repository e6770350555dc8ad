import { BoxClient } from "../box/http/box-client";
import { ItemsApi } from "../box/folders/items-api";
import { BoxError } from "../box/errors";
import { browseFolder } from "../box/folders/folder-browser";
import { isId } from "../box/folders/item-lookup";
import { BoxConfigNode, NodeAPI } from "../shared/node-red-types";
import { bucketFor, pickerPaused } from "../shared/picker-bucket";

interface Request {
  query: Record<string, unknown>;
}
interface Response {
  status(code: number): Response;
  json(body: unknown): void;
}

const PICKER_TIMEOUT_MS = 15_000;
const MAX_OFFSET = 100_000;

/**
 * `GET {httpAdminRoot}/box-events-in/folders?config=<id>&folder=<id>&offset=<n>`: the folder picker of
 * the events dialog. It acts with the deployed config node's own token source against its own API
 * origin, so the events node need not be deployed yet; it answers names and ids, never a token.
 * Failures answer `{ok: false, reason}` where `reason` is a key of `box-events-in.picker.*` or Box's reason.
 * It spends the Box user's rate limit, so it needs the write permission the dialog's Test button needs, and
 * a bucket per config node bounds its requests (`busy`, 429, beyond). Its own 429s pause only the picker;
 * a pause the flows' nodes are under holds it back too.
 */
export function registerFolderPicker(RED: NodeAPI): void {
  const write = RED.auth.needsPermission("box-config.write");
  RED.httpAdmin.get("/box-events-in/folders", write, async (req: Request, res: Response) => {
    const configId = typeof req.query.config === "string" ? req.query.config : "";
    const folderId = typeof req.query.folder === "string" && req.query.folder !== "" ? req.query.folder : "0";
    const offset = Number(req.query.offset ?? 0);
    const config = configId ? (RED.nodes.getNode(configId) as BoxConfigNode | null) : null;
    if (!config || typeof config.tokenSource !== "function") {
      return res.status(404).json({ ok: false, reason: "notDeployed" });
    }
    if (!isId(folderId) || !Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
      return res.status(400).json({ ok: false, reason: "invalidFolder" });
    }
    const bucket = bucketFor(RED.httpAdmin, configId);
    if (!bucket.take()) return res.status(429).json({ ok: false, reason: "busy" });
    let client: BoxClient | undefined;
    try {
      if (bucket.gate.closed) throw pickerPaused();
      await config.rateGate().wait(AbortSignal.timeout(PICKER_TIMEOUT_MS));
      client = new BoxClient({
        apiBaseUrl: config.apiBaseUrl,
        tokens: config.tokenSource(),
        proxy: config.proxy,
        rateGate: bucket.gate,
        requestTimeoutMs: PICKER_TIMEOUT_MS,
      });
      res.json({ ok: true, ...(await browseFolder(new ItemsApi(client), folderId, offset)) });
    } catch (err) {
      const reason = err instanceof BoxError ? (err.details.status === 404 ? "notFound" : err.reason) : "failed";
      res.status(200).json({ ok: false, reason });
    } finally {
      await client?.close();
    }
  });
}
