import { randomBytes } from "crypto";
import type { IncomingMessage, ServerResponse } from "http";
import type { DownloadTickets } from "./download-host";
import type { ItemActivity } from "./item-activity";
import { readBodyBytes, readJsonObject, sendBoxError, sendJson } from "./http-util";
import type { Json, TreeFile } from "./item-tree";
import { visible } from "./items-api";
import { parseMultipart } from "./multipart";

/** What the download, upload and file-update endpoints need of the emulator. */
export interface ContentApiParts {
  items: ItemActivity;
  /** Download URLs on the download host, handed out by `GET /2.0/files/{id}/content`. */
  downloads: DownloadTickets;
}

const CONTENT_ROUTE = /^\/2\.0\/files\/(\d+)\/content$/;
const UPLOAD_ROUTE = /^\/api\/2\.0\/files\/(?:(\d+)\/)?content$/;
const FILE_ROUTE = /^\/2\.0\/files\/(\d+)$/;
/** Box takes direct uploads up to 50 MB (larger files go through its chunked upload sessions). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const ACCESS_LEVELS = ["open", "company", "collaborators"];

/** The routes a fault with target `content` hits: downloads (the redirect) and uploads. */
export function isContentRoute(method: string, pathname: string): boolean {
  return (method === "GET" && CONTENT_ROUTE.test(pathname)) || (method === "POST" && UPLOAD_ROUTE.test(pathname));
}

/**
 * `GET /2.0/files/{id}/content` (302 to the download host), uploads on `/api/2.0/files/content` and
 * `/api/2.0/files/{id}/content` (Box's upload host takes them under `/api`), and `PUT /2.0/files/{id}` for
 * shared links and renames. False for other routes; `authorized` answers the 401 itself.
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
  const update = FILE_ROUTE.exec(url.pathname);
  if (content && method === "GET") {
    if (authorized()) redirectToDownload(ctx, res, content[1]);
  } else if (upload && method === "POST") {
    if (authorized()) await receiveUpload(ctx, req, res, upload[1]);
  } else if (update && method === "PUT") {
    if (authorized()) await updateFile(ctx, req, res, url, update[1]);
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
  if (conflict) return sendBoxError(res, 409, "Item with the same name already exists", {}, "item_name_in_use");
  try {
    sendJson(res, 201, { total_count: 1, entries: [ctx.items.uploadFile(name, parentId, data).file] });
  } catch (err) {
    sendBoxError(res, 400, (err as Error).message, undefined, "bad_request");
  }
}

/** `PUT /2.0/files/{id}`: `shared_link` (an object creates or changes it, null removes it) and `name`. */
async function updateFile(ctx: ContentApiParts, req: IncomingMessage, res: ServerResponse, url: URL, id: string) {
  const tree = ctx.items.tree;
  const file = tree.get({ type: "file", id });
  if (!visible(file, res, "file") || file.type !== "file") return;
  const body = await readJsonObject(req, res, (status, message) => sendBoxError(res, status, message));
  if (!body) return;
  if (body.shared_link === null) file.sharedLink = null;
  else if (typeof body.shared_link === "object") file.sharedLink = sharedLink(file, body.shared_link as Json);
  if (typeof body.name === "string" && body.name !== file.name) {
    try {
      ctx.items.rename({ type: "file", id }, body.name);
    } catch (err) {
      return sendBoxError(res, 409, (err as Error).message, undefined, "item_name_in_use");
    }
  }
  const fields = url.searchParams.get("fields")?.split(",").filter(Boolean);
  sendJson(res, 200, tree.toJson(file, fields));
}

/** Box's shared link object; an existing link keeps its URL when its settings change. */
function sharedLink(file: TreeFile, spec: Json): Json {
  const access = ACCESS_LEVELS.includes(spec.access as string) ? (spec.access as string) : "open";
  const url = typeof file.sharedLink?.url === "string" ? file.sharedLink.url : undefined;
  const hash = url?.split("/").pop() ?? randomBytes(16).toString("hex");
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(file.name)?.[0] ?? "";
  return {
    url: `https://app.box.com/s/${hash}`,
    download_url: `https://app.box.com/shared/static/${hash}${ext}`,
    vanity_url: null,
    vanity_name: null,
    access,
    effective_access: access,
    effective_permission: "can_download",
    unshared_at: typeof spec.unshared_at === "string" ? spec.unshared_at : null,
    is_password_enabled: typeof spec.password === "string" && spec.password !== "",
    permissions: { can_download: true, can_preview: true, can_edit: false },
    download_count: 0,
    preview_count: 0,
  };
}
