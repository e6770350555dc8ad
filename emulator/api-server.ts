import type { IncomingMessage, ServerResponse } from "http";
import type { EventLog } from "./event-log";
import { bearerToken, sendBoxError, sendJson, sendText } from "./http-util";
import { handleAuthorize, handleTokenRequest, type OAuthParts } from "./oauth";
import { parseStreamType, type RealtimeHub } from "./realtime";
import { demoUser } from "./event-defaults";
import { handleContentApi, isContentRoute, type ContentApiParts } from "./content-api";
import { handleItemsApi, isItemRoute } from "./items-api";
import { handleActionRoutes } from "./action-routes";
import { getEnterpriseEvents, type EnterpriseApiParts } from "./enterprise-api";
import { isEnterpriseStreamType, type EnterpriseStreamType } from "./enterprise-log";

/** What Box's API needs of the emulator: the parts of each endpoint, the event log and the realtime hub. */
export interface ApiServerParts extends OAuthParts, EnterpriseApiParts, ContentApiParts {
  log: EventLog;
  hub: RealtimeHub;
  realtimeUrl: () => string;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

export type ApiTarget = "events" | "options" | "token" | "items" | "content" | null;

export function apiFaultTarget(method: string, pathname: string): ApiTarget {
  if (pathname === "/2.0/events") return method === "GET" ? "events" : method === "OPTIONS" ? "options" : null;
  if (pathname === "/oauth2/token" && method === "POST") return "token";
  if (isItemRoute(method, pathname)) return "items";
  if (isContentRoute(method, pathname)) return "content";
  return null;
}

/** Box's 401: the WWW-Authenticate header and an empty body. */
function requireToken(ctx: ApiServerParts, req: IncomingMessage, res: ServerResponse): boolean {
  if (ctx.tokens.isValid(bearerToken(req))) return true;
  res.writeHead(401, {
    "www-authenticate":
      'Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."',
    "content-length": 0,
  });
  res.end();
  return false;
}

export async function handleBoxApi(
  ctx: ApiServerParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? "GET";
  switch (url.pathname) {
    case "/2.0/events": {
      const enterprise = url.searchParams.get("stream_type");
      if (isEnterpriseStreamType(enterprise)) return enterpriseEvents(ctx, req, res, url, enterprise);
      if (method === "GET") return void (requireToken(ctx, req, res) && getEvents(ctx, res, url));
      if (method === "OPTIONS") return void (requireToken(ctx, req, res) && optionsEvents(ctx, res, url));
      return sendBoxError(res, 405, "Method Not Allowed");
    }
    case "/2.0/users/me":
      if (method !== "GET") return sendBoxError(res, 405, "Method Not Allowed");
      if (requireToken(ctx, req, res)) sendJson(res, 200, demoUser(ctx.account.userId));
      return;
    case "/oauth2/token":
      if (method !== "POST") return sendBoxError(res, 405, "Method Not Allowed");
      return handleTokenRequest(ctx, req, res);
    case "/api/oauth2/authorize":
      return handleAuthorize(ctx, req, res, url);
    default:
      if (await handleContentApi(ctx, req, res, url, () => requireToken(ctx, req, res))) return;
      if (await handleActionRoutes(ctx, req, res, url, () => requireToken(ctx, req, res))) return;
      if (isItemRoute(method, url.pathname) && !requireToken(ctx, req, res)) return;
      if (handleItemsApi(ctx.items.tree, method, res, url)) return;
      return sendBoxError(res, 404, "Not Found", undefined, "not_found");
  }
}

/** Enterprise streams: GET for an admin's token; no realtime server (OPTIONS is an error), as at Box. */
function enterpriseEvents(
  ctx: ApiServerParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  type: EnterpriseStreamType,
): void {
  if (!requireToken(ctx, req, res)) return;
  if (req.method === "GET") return getEnterpriseEvents(ctx, bearerToken(req), type, res, url);
  if (req.method === "OPTIONS") return sendBoxError(res, 400, "Long polling is only available for user events");
  sendBoxError(res, 405, "Method Not Allowed");
}

function getEvents(ctx: ApiServerParts, res: ServerResponse, url: URL): void {
  const type = parseStreamType(url.searchParams.get("stream_type"));
  if (!type) return sendBoxError(res, 400, "Invalid value for stream_type");
  const s = ctx.settings();
  const raw = url.searchParams.get("stream_position");
  const parsedLimit = Number.parseInt(url.searchParams.get("limit") ?? "", 10);
  let limit = Number.isNaN(parsedLimit) ? DEFAULT_LIMIT : Math.min(MAX_LIMIT, Math.max(1, parsedLimit));
  if (s.shortPages) limit = Math.min(limit, 1 + Math.floor(Math.random() * Math.ceil(limit / 3)));

  let entries: string[] = [];
  let next: bigint;
  if (raw === "now") {
    next = ctx.log.head;
  } else if (raw === null || raw === "" || raw === "0" || /^\d+$/.test(raw)) {
    const requested = raw && raw !== "0" ? BigInt(raw) : ctx.log.base;
    const page = ctx.log.page(ctx.log.indexOf(requested), type, limit, s.duplicatePages ? 2 : 0);
    entries = page.entriesJson;
    next = requested >= ctx.log.head ? requested : ctx.log.base + page.nextIndex;
  } else {
    return sendBoxError(res, 400, "Invalid value for stream_position");
  }
  const pos = s.positionFormat === "number" ? next.toString() : JSON.stringify(next.toString());
  // Written by hand so that positions above 2^53 reach the client as exact bare integers, as Box sends them.
  sendText(res, 200, `{"chunk_size":${entries.length},"next_stream_position":${pos},"entries":[${entries.join(",")}]}`);
}

function optionsEvents(ctx: ApiServerParts, res: ServerResponse, url: URL): void {
  const type = parseStreamType(url.searchParams.get("stream_type")) ?? "all";
  const s = ctx.settings();
  const asNum = (n: number): number | string => (s.optionsNumbersAsStrings ? String(n) : n);
  sendJson(res, 200, {
    chunk_size: 1,
    entries: [
      {
        type: "realtime_server",
        url: `${ctx.realtimeUrl()}/subscribe?channel=${ctx.hub.newChannel()}&stream_type=${type}`,
        ttl: asNum(s.ttl),
        max_retries: asNum(s.maxRetries),
        retry_timeout: s.retryTimeout,
      },
    ],
  });
}
