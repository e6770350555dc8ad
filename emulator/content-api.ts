import type { IncomingMessage, ServerResponse } from "http";
import type { DownloadTickets } from "./download-host";
import type { ItemActivity } from "./item-activity";
import { readBodyBytes, sendBoxError, sendJson } from "./http-util";
import type { Json } from "./item-tree";
import { visible } from "./items-api";
import { parseMultipart } from "./multipart";

/** What the download and upload endpoints need of the emulator. */
export interface ContentApiParts {
  items: ItemActivity;
  /** Download URLs on the download host, handed out by `GET /2.0/files/{id}/content`. */
  downloads: DownloadTickets;
}

const CONTENT_ROUTE = /^\/2\.0\/files\/(\d+)\/content$/;
const UPLOAD_ROUTE = /^\/api\/2\.0\/files\/(?:(\d+)\/)?content$/;
/** Box takes direct uploads up to 50 MB (larger files go through its chunked upload sessions). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** The routes a fault with target `content` hits: downloads (the redirect) and uploads. */
export function isContentRoute(method: string, pathname: string): boolean {
  return (method === "GET" && CONTENT_ROUTE.test(pathname)) || (method === "POST" && UPLOAD_ROUTE.test(pathname));
}

/**
 * `GET /2.0/files/{id}/content` (302 to the download host), uploads on `/api/2.0/files/content` and
 * `/api/2.0/files/{id}/content` (Box's upload host takes them under `/api`). False for other routes;
 * `authorized` answers the 401 itself.
 */
export async function handleContentApi(
  ctx: ContentApiParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  authorized: () => boolean,
): Promise<boolean> {
  const method = req.method ?? "GET";
  const content = CONTENT_ROUTE.exec(url.pathname);
  const upload = UPLOAD_ROUTE.exec(url.pathname);
  if (content && method === "GET") {
    if (authorized()) redirectToDownload(ctx, res, content[1]);
  } else if (upload && method === "POST") {
    if (authorized()) await receiveUpload(ctx, req, res, upload[1]);
  } else {
    return false;
  }
  return true;
}

function redirectToDownload(ctx: ContentApiParts, res: ServerResponse, id: string): void {
  const file = ctx.items.tree.get({ type: "file", id });
  if (!visible(file, res, "file")) return;
  if (file.type !== "file" || ctx.items.tree.isTrashed(file)) return sendBoxError(res, 404, "Not Found", {}, "trashed");
  res.writeHead(302, { location: ctx.downloads.url(file.id, file.versionId), "content-length": 0 });
  res.end();
}

async function receiveUpload(ctx: ContentApiParts, req: IncomingMessage, res: ServerResponse, fileId?: string) {
  const body = await readBodyBytes(req, res, MAX_UPLOAD_BYTES);
  if (!body) return;
  const parts = parseMultipart(body, req.headers["content-type"]) ?? [];
  const attributes = parts.findIndex((p) => p.name === "attributes");
  const file = parts.findIndex((p) => p.filename !== undefined && p.name !== "attributes");
  // Box reads the attributes before the file streams in: the other order is refused
  if (attributes < 0 || file < 0 || attributes > file) {
    return sendBoxError(res, 400, "Expected an attributes part, then a file part", undefined, "bad_request");
  }
  let attrs: Json;
  try {
    attrs = JSON.parse(parts[attributes].data.toString("utf8")) as Json;
  } catch {
    return sendBoxError(res, 400, "attributes must be JSON", undefined, "bad_request");
  }
  const data = Buffer.from(parts[file].data);
  const tree = ctx.items.tree;
  if (fileId !== undefined) {
    const existing = tree.get({ type: "file", id: fileId });
    if (!visible(existing, res, "file")) return;
    return sendJson(res, 201, { total_count: 1, entries: [ctx.items.uploadVersion(fileId, data).file] });
  }
  const name = attrs.name;
  const parentId = String((attrs.parent as Json | undefined)?.id ?? "");
  if (typeof name !== "string" || !parentId) {
    return sendBoxError(res, 400, "attributes need name and parent.id", undefined, "bad_request");
  }
  const parent = tree.get({ type: "folder", id: parentId });
  if (!visible(parent, res, "folder")) return;
  const conflict = tree.childrenOf(parentId).find((child) => child.name === name);
  if (conflict) {
    const conflicts = tree.miniJson(conflict);
    return sendBoxError(res, 409, "Item with the same name already exists", {}, "item_name_in_use", { conflicts });
  }
  try {
    sendJson(res, 201, { total_count: 1, entries: [ctx.items.uploadFile(name, parentId, data).file] });
  } catch (err) {
    sendBoxError(res, 400, (err as Error).message, undefined, "bad_request");
  }
}
