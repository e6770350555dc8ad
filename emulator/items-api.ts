import type { ServerResponse } from "http";
import { ItemTree, MAX_ITEMS_LIMIT, type ItemType, type TreeItem } from "./item-tree";
import { sendBoxError, sendJson } from "./http-util";

const DEFAULT_ITEMS_LIMIT = 100;
/** Box rejects offset paging beyond this; marker paging has no such limit. */
const MAX_OFFSET = 10_000;
const ITEM_ROUTE = /^\/2\.0\/(files|folders)\/(\d+)(\/items)?$/;

/** The metadata routes a fault with target `items` hits: `GET /2.0/files/{id}`, `/2.0/folders/{id}`, `.../items`. */
export function isItemRoute(method: string, pathname: string): boolean {
  return method === "GET" && ITEM_ROUTE.test(pathname);
}

/** `GET /2.0/files/{id}`, `GET /2.0/folders/{id}` and `GET /2.0/folders/{id}/items`; false for other paths. */
export function handleItemsApi(tree: ItemTree, method: string, res: ServerResponse, url: URL): boolean {
  const m = ITEM_ROUTE.exec(url.pathname);
  if (!m) return false;
  if (method !== "GET") {
    sendBoxError(res, 405, "Method Not Allowed");
    return true;
  }
  const type: ItemType = m[1] === "files" ? "file" : "folder";
  if (m[3] && type === "file") return false;
  const item = tree.get({ type, id: m[2] });
  if (!visible(item, res, type)) return true;
  const fields = parseFields(url.searchParams.get("fields"));
  if (!m[3]) {
    sendJson(res, 200, tree.toJson(item, fields));
    return true;
  }
  if (item.type !== "folder" || tree.isTrashed(item)) {
    sendBoxError(res, 404, "Not Found", undefined, "trashed");
    return true;
  }
  const paging = parsePaging(url.searchParams);
  if (typeof paging === "string") {
    sendBoxError(res, 400, paging);
    return true;
  }
  const page = tree.listing(item, paging.offset, paging.limit, fields);
  if (!paging.marker) {
    sendJson(res, 200, page);
    return true;
  }
  const next = paging.offset + paging.limit;
  const nextMarker = next < (page.total_count as number) ? Buffer.from(String(next)).toString("base64url") : null;
  sendJson(res, 200, { entries: page.entries, limit: paging.limit, next_marker: nextMarker, prev_marker: null });
  return true;
}

/** False (and 404 or 403 sent, as Box answers) when the account may not see the item. */
export function visible(item: TreeItem | undefined, res: ServerResponse, type: ItemType): item is TreeItem {
  if (!item || item.access === "notFound") {
    sendBoxError(res, 404, `Not Found: no ${type} with this id`, undefined, "not_found");
    return false;
  }
  if (item.access === "forbidden") {
    sendBoxError(
      res,
      403,
      "Access denied - insufficient permission",
      undefined,
      "access_denied_insufficient_permissions",
    );
    return false;
  }
  return true;
}

function parseFields(raw: string | null): string[] | undefined {
  if (!raw) return undefined;
  return raw
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
}

function parsePaging(params: URLSearchParams): { offset: number; limit: number; marker: boolean } | string {
  const limitRaw = params.get("limit");
  const limit = limitRaw === null ? DEFAULT_ITEMS_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1) return "Invalid value for limit";
  const marker = params.get("usemarker") === "true";
  let offset: number;
  if (marker) {
    const raw = params.get("marker");
    offset = raw ? Number(Buffer.from(raw, "base64url").toString("utf8")) : 0;
    if (!Number.isInteger(offset) || offset < 0) return "Invalid value for marker";
  } else {
    offset = Number(params.get("offset") ?? 0);
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) return "Invalid value for offset";
  }
  return { offset, limit: Math.min(limit, MAX_ITEMS_LIMIT), marker };
}
