import type { ServerResponse } from "http";
import type { EnterpriseLog } from "./enterprise-log";
import type { TokenStore } from "./tokens";
import type { Settings } from "./types";
import type { EnterpriseQuery, EnterpriseStreamType } from "./enterprise-log";
import { sendBoxError, sendText } from "./http-util";

/** What the enterprise events endpoint needs of the emulator. */
export interface EnterpriseApiParts {
  enterprise: EnterpriseLog;
  settings: () => Settings;
  tokens: TokenStore;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

/**
 * `GET /2.0/events?stream_type=admin_logs|admin_logs_streaming`. Only an enterprise admin's token (CCG or
 * JWT with subject type `enterprise`, or a token issued as admin) gets events; any other gets Box's 403.
 */
export function getEnterpriseEvents(
  ctx: EnterpriseApiParts,
  token: string | undefined,
  type: EnterpriseStreamType,
  res: ServerResponse,
  url: URL,
): void {
  if (!ctx.tokens.isAdmin(token)) return sendBoxError(res, 403, "Access denied - insufficient permission");
  const query = parseQuery(type, url);
  if (typeof query === "string") return sendBoxError(res, 400, query);
  if (ctx.settings().shortPages) query.limit = Math.min(query.limit, 1 + Math.floor(Math.random() * 3));
  const page = ctx.enterprise.page(type, query);
  const format = ctx.settings().positionFormat;
  const next = format === "number" ? page.next.toString() : JSON.stringify(page.next.toString());
  // by hand, so that positions above 2^53 stay exact bare integers, as Box sends them
  sendText(
    res,
    200,
    `{"chunk_size":${page.entries.length},"next_stream_position":${next},"entries":[${page.entries.join(",")}]}`,
  );
}

/** The query as Box reads it; a string is the message of a 400. */
function parseQuery(type: EnterpriseStreamType, url: URL): EnterpriseQuery | string {
  const params = url.searchParams;
  const raw = params.get("stream_position");
  let position: EnterpriseQuery["position"] = null;
  // Box documents `now` for every stream type, yet neither its guides nor its SDKs use it for admin_logs (they start
  // from a time): refused here, so a client that relies on it shows up in tests.
  if (raw === "now" && type === "admin_logs_streaming") position = "now";
  else if (raw !== null && raw !== "" && /^\d+$/.test(raw)) position = BigInt(raw);
  else if (raw !== null && raw !== "") return "Invalid value for stream_position";
  const parsedLimit = Number.parseInt(params.get("limit") ?? "", 10);
  const limit = Number.isNaN(parsedLimit) ? DEFAULT_LIMIT : Math.min(MAX_LIMIT, Math.max(1, parsedLimit));
  const query: EnterpriseQuery = { position, limit };
  const types = (params.get("event_type") ?? "").split(",").filter(Boolean);
  if (types.length > 0) query.eventTypes = new Set(types);
  if (type === "admin_logs_streaming") return query; // it ignores created_after and created_before
  for (const [name, key] of [
    ["created_after", "createdAfterMs"],
    ["created_before", "createdBeforeMs"],
  ] as const) {
    const value = params.get(name);
    if (value === null) continue;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return `Invalid value for ${name}`;
    query[key] = ms;
  }
  return query;
}
