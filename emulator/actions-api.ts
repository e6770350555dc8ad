import { randomBytes } from "crypto";
import type { IncomingMessage, ServerResponse } from "http";
import type { ActionParts } from "./action-parts";
import { readJsonObject, sendBoxError, sendJson } from "./http-util";
import type { ItemRef, ItemType, Json, TreeItem } from "./item-tree";
import { visible } from "./items-api";

const ITEM_ROUTE = /^\/2\.0\/(files|folders)\/(\d+)$/;
const COPY_ROUTE = /^\/2\.0\/(files|folders)\/(\d+)\/copy$/;
const ACCESS_LEVELS = ["open", "company", "collaborators"];

/**
 * What the box api node's operations change, as Box documents it: `PUT /2.0/files|folders/{id}` (name,
 * parent, shared_link), `DELETE` of both (to the trash; a folder with items needs `recursive=true`),
 * `POST .../{id}/copy`, `POST /2.0/folders` and `POST /2.0/comments`. False for other routes.
 */
export async function handleActionsApi(
  ctx: ActionParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  authorized: () => boolean,
): Promise<boolean> {
  const method = req.method ?? "GET";
  const item = ITEM_ROUTE.exec(url.pathname);
  const copy = COPY_ROUTE.exec(url.pathname);
  const ref = (m: RegExpExecArray): ItemRef => ({ type: m[1] === "files" ? "file" : "folder", id: m[2] });
  if (item && method === "PUT") {
    if (authorized()) await update(ctx, req, res, url, ref(item));
  } else if (item && method === "DELETE") {
    if (authorized()) remove(ctx, res, url, ref(item));
  } else if (copy && method === "POST") {
    if (authorized()) await copyItem(ctx, req, res, ref(copy));
  } else if (url.pathname === "/2.0/folders" && method === "POST") {
    if (authorized()) await createFolder(ctx, req, res);
  } else if (url.pathname === "/2.0/comments" && method === "POST") {
    if (authorized()) await comment(ctx, req, res);
  } else {
    return false;
  }
  return true;
}

function live(ctx: ActionParts, ref: ItemRef, res: ServerResponse): TreeItem | undefined {
  const item = ctx.items.tree.get(ref);
  if (!visible(item, res, ref.type)) return undefined;
  if (ctx.items.tree.isTrashed(item)) return void sendBoxError(res, 404, "Not Found", undefined, "trashed");
  return item;
}

const body = (req: IncomingMessage, res: ServerResponse) =>
  readJsonObject(req, res, (status, message) => sendBoxError(res, status, message, undefined, "bad_request"));

/** Box's 409: the item already holding the name in `context_info.conflicts`. */
function nameInUse(ctx: ActionParts, res: ServerResponse, parentId: string, name: string): boolean {
  const existing = ctx.items.tree.childrenOf(parentId).find((child) => child.name === name);
  if (!existing) return false;
  const conflicts = [ctx.items.tree.miniJson(existing)];
  sendBoxError(res, 409, "Item with the same name already exists", {}, "item_name_in_use", { conflicts });
  return true;
}

async function update(ctx: ActionParts, req: IncomingMessage, res: ServerResponse, url: URL, ref: ItemRef) {
  const item = live(ctx, ref, res);
  const changes = item && (await body(req, res));
  if (!item || !changes) return;
  const parent = (changes.parent as Json | undefined)?.id;
  const target = typeof parent === "string" ? parent : (item.parentId ?? "0");
  const name = typeof changes.name === "string" ? changes.name : item.name;
  if ((name !== item.name || target !== item.parentId) && nameInUse(ctx, res, target, name)) return;
  try {
    if (name !== item.name) ctx.items.rename(ref, name);
    if (target !== item.parentId) ctx.items.move(ref, target);
  } catch (err) {
    return sendBoxError(res, 400, (err as Error).message, undefined, "bad_request");
  }
  if (changes.shared_link === null) item.sharedLink = null;
  else if (typeof changes.shared_link === "object") item.sharedLink = sharedLink(item, changes.shared_link as Json);
  const fields = url.searchParams.get("fields")?.split(",").filter(Boolean);
  sendJson(res, 200, ctx.items.tree.toJson(item, fields));
}

function remove(ctx: ActionParts, res: ServerResponse, url: URL, ref: ItemRef): void {
  const item = live(ctx, ref, res);
  if (!item) return;
  if (item.type === "folder" && item.id === "0") return sendBoxError(res, 403, "Forbidden", undefined, "forbidden");
  const hasItems = item.type === "folder" && ctx.items.tree.childrenOf(item.id).length > 0;
  if (hasItems && url.searchParams.get("recursive") !== "true") {
    return sendBoxError(res, 400, "Folder not empty", undefined, "folder_not_empty");
  }
  ctx.items.trash(ref);
  res.writeHead(204, { "content-length": 0 });
  res.end();
}

async function copyItem(ctx: ActionParts, req: IncomingMessage, res: ServerResponse, ref: ItemRef) {
  const item = live(ctx, ref, res);
  const spec = item && (await body(req, res));
  if (!item || !spec) return;
  const parentId = (spec.parent as Json | undefined)?.id;
  if (typeof parentId !== "string") return sendBoxError(res, 400, "parent.id is required", undefined, "bad_request");
  if (!live(ctx, { type: "folder", id: parentId }, res)) return;
  const name = typeof spec.name === "string" ? spec.name : item.name;
  if (nameInUse(ctx, res, parentId, name)) return;
  const copy = copyInto(ctx, item, parentId, name);
  ctx.items.events([{ ref: { type: copy.type, id: copy.id }, eventType: "ITEM_COPY" }]);
  sendJson(res, 201, ctx.items.tree.toJson(copy));
}

function copyInto(ctx: ActionParts, item: TreeItem, parentId: string, name: string): TreeItem {
  const tree = ctx.items.tree;
  if (item.type === "file") {
    const file = tree.createFile(name, parentId, item.content, item.size);
    if (!item.content) file.sha1 = item.sha1;
    return file;
  }
  const folder = tree.createFolder(name, parentId);
  for (const child of tree.childrenOf(item.id)) copyInto(ctx, child, folder.id, child.name);
  return folder;
}

async function createFolder(ctx: ActionParts, req: IncomingMessage, res: ServerResponse) {
  const spec = await body(req, res);
  if (!spec) return;
  const parentId = (spec.parent as Json | undefined)?.id;
  if (typeof spec.name !== "string" || typeof parentId !== "string") {
    return sendBoxError(res, 400, "name and parent.id are required", undefined, "bad_request");
  }
  if (!live(ctx, { type: "folder", id: parentId }, res) || nameInUse(ctx, res, parentId, spec.name)) return;
  try {
    sendJson(res, 201, ctx.items.createFolder(spec.name, parentId).folder);
  } catch (err) {
    sendBoxError(res, 400, (err as Error).message, undefined, "bad_request");
  }
}

async function comment(ctx: ActionParts, req: IncomingMessage, res: ServerResponse) {
  const spec = await body(req, res);
  if (!spec) return;
  const target = spec.item as Json | undefined;
  if (target?.type !== "file" || typeof target.id !== "string" || typeof spec.message !== "string") {
    return sendBoxError(res, 400, "item {type: file, id} and message are required", undefined, "bad_request");
  }
  if (!live(ctx, { type: "file" as ItemType, id: target.id }, res)) return;
  const event = ctx.items.comment(target.id, spec.message);
  sendJson(res, 201, event.source);
}

/** Box's shared link object; an existing link keeps its URL when its settings change. */
export function sharedLink(item: TreeItem, spec: Json): Json {
  const access = ACCESS_LEVELS.includes(spec.access as string) ? (spec.access as string) : "open";
  const url = typeof item.sharedLink?.url === "string" ? item.sharedLink.url : undefined;
  const hash = url?.split("/").pop() ?? randomBytes(16).toString("hex");
  const ext = item.type === "file" ? (/\.[A-Za-z0-9]{1,8}$/.exec(item.name)?.[0] ?? "") : "";
  return {
    url: `https://app.box.com/s/${hash}`,
    download_url: item.type === "file" ? `https://app.box.com/shared/static/${hash}${ext}` : null,
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
