import { randomUUID } from "crypto";
import type { IncomingMessage, ServerResponse } from "http";
import type { ActionParts } from "./action-parts";
import { readBody, sendBoxError, sendJson } from "./http-util";
import type { ItemTree, Json } from "./item-tree";
import { visible } from "./items-api";

const METADATA_ROUTE = /^\/2\.0\/files\/(\d+)\/metadata\/(global|enterprise(?:_\d+)?)\/([A-Za-z][\w-]*)$/;
/** The metadata instances of each emulator's tree, by `fileId/scope/template`. */
const instances = new WeakMap<ItemTree, Map<string, Json>>();

/**
 * `GET`, `POST` (create: 409 `tuple_already_exists` when there is one) and `PUT` (a JSON-Patch array with
 * `content-type: application/json-patch+json`) on `/2.0/files/{id}/metadata/{scope}/{template_key}`.
 */
export async function handleMetadataApi(
  ctx: ActionParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  authorized: () => boolean,
): Promise<boolean> {
  const m = METADATA_ROUTE.exec(url.pathname);
  const method = req.method ?? "GET";
  if (!m || !["GET", "POST", "PUT"].includes(method)) return false;
  if (!authorized()) return true;
  const tree = ctx.items.tree;
  if (!visible(tree.get({ type: "file", id: m[1] }), res, "file")) return true;
  let store = instances.get(tree);
  if (!store) instances.set(tree, (store = new Map()));
  const key = `${m[1]}/${m[2]}/${m[3]}`;
  const existing = store.get(key);
  if (method === "GET") {
    if (!existing) sendBoxError(res, 404, "Instance not found", undefined, "instance_not_found");
    else sendJson(res, 200, existing);
    return true;
  }
  const body = await readJson(req, res);
  if (body === undefined) return true;
  if (method === "POST") create(store, key, m, existing, body, res);
  else patch(existing, body, req, res);
  return true;
}

function create(
  store: Map<string, Json>,
  key: string,
  m: RegExpExecArray,
  existing: Json | undefined,
  body: unknown,
  res: ServerResponse,
) {
  if (existing) return sendBoxError(res, 409, "A metadata instance already exists", undefined, "tuple_already_exists");
  if (!isObject(body)) return sendBoxError(res, 400, "body must be a JSON object", undefined, "bad_request");
  const instance: Json = {
    ...body,
    $parent: `file_${m[1]}`,
    $template: m[3],
    $scope: m[2],
    $version: 0,
    $id: randomUUID(),
    $type: `${m[3]}-${randomUUID().slice(0, 8)}`,
    $typeVersion: 0,
    $canEdit: true,
  };
  store.set(key, instance);
  sendJson(res, 201, instance);
}

function patch(existing: Json | undefined, body: unknown, req: IncomingMessage, res: ServerResponse) {
  if (!existing) return sendBoxError(res, 404, "Instance not found", undefined, "instance_not_found");
  if (!/application\/json-patch\+json/.test(req.headers["content-type"] ?? "") || !Array.isArray(body)) {
    return sendBoxError(
      res,
      400,
      "a JSON-Patch array with content-type application/json-patch+json",
      undefined,
      "bad_request",
    );
  }
  for (const op of body as Json[]) {
    const name = typeof op.path === "string" ? op.path.replace(/^\//, "").replace(/~1/g, "/").replace(/~0/g, "~") : "";
    if (!name || name.startsWith("$")) return sendBoxError(res, 400, "invalid path", undefined, "bad_request");
    if (op.op === "add" || op.op === "replace") existing[name] = op.value;
    else if (op.op === "remove") delete existing[name];
    else return sendBoxError(res, 400, `unsupported op ${String(op.op)}`, undefined, "bad_request");
  }
  existing.$version = (existing.$version as number) + 1;
  sendJson(res, 200, existing);
}

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const text = await readBody(req, res);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    sendBoxError(res, 400, "body must be JSON", undefined, "bad_request");
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
