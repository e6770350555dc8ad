import { testRedis } from "../box/coordination/redis-test";
import { BoxError } from "../box/errors";
import { BoxConfigNode, NodeAPI } from "../shared/node-red-types";
import { reasonText } from "../shared/reason-text";
import { resolveCoordination } from "./settings";

/** Node-RED's stand-in for a password the editor did not change. */
const UNCHANGED = "__PWRD__";

interface Request {
  body?: Record<string, unknown>;
}
interface Response {
  json(body: unknown): void;
}

/**
 * The dialog's *Test Redis* button: `POST {httpAdminRoot}/box-config/test-redis` with `{id, haPrefix, credentials:
 * {redisUrl}}` (`__PWRD__`: the deployed node's stored URL). Answers `{ok: true, latencyMs, leases: [{stream,
 * holder}]}` or `{ok: false, reason}`; never the URL or its password. Needs `box-config.write`, like Test connection.
 */
export function registerRedisTest(RED: NodeAPI): void {
  const write = RED.auth.needsPermission("box-config.write");
  RED.httpAdmin.post("/box-config/test-redis", write, (req: Request, res: Response) => handleTestRedis(RED, req, res));
}

async function handleTestRedis(RED: NodeAPI, req: Request, res: Response): Promise<void> {
  const body = req.body ?? {};
  const id = typeof body.id === "string" ? body.id : "";
  const given = (body.credentials ?? {}) as Record<string, unknown>;
  const prefix = typeof body.haPrefix === "string" ? body.haPrefix : undefined;
  try {
    let redisUrl = typeof given.redisUrl === "string" ? given.redisUrl : "";
    if (redisUrl === UNCHANGED) {
      const node = id ? (RED.nodes.getNode(id) as (BoxConfigNode & { type?: string }) | null) : null;
      redisUrl = node?.type === "box-config" ? (RED.nodes.getCredentials(id)?.redisUrl ?? "") : "";
    }
    const settings = resolveCoordination({ haPrefix: prefix }, { redisUrl });
    if (!settings) throw new BoxError("config", { key: "invalidRedisUrl" });
    res.json({ ok: true, ...(await testRedis(settings.redisUrl, settings.prefix)) });
  } catch (err) {
    res.json({ ok: false, reason: err instanceof BoxError ? reasonText(RED._, err) : "unexpected error" });
  }
}
