import { createHash, randomBytes, type Hash } from "crypto";
import type { IncomingMessage, ServerResponse } from "http";
import type { ActionParts } from "./action-parts";
import { readBody, readBodyBytes, sendBoxError, sendJson } from "./http-util";
import type { Json } from "./item-tree";
import { visible } from "./items-api";

/** Box: sessions for files of at least 20 MB; parts of 8 MB for files of this size. */
export const MIN_SESSION_FILE_BYTES = 20 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;
const MAX_FILE_BYTES = 5 * 1024 * 1024 * 1024;
const MAX_SESSIONS = 20;
const NEW_ROUTE = /^\/api\/2\.0\/files\/(?:(\d+)\/)?upload_sessions$/;
const SESSION_ROUTE = /^\/api\/2\.0\/files\/upload_sessions\/([0-9A-F]{32})(\/commit)?$/;

interface Session {
  id: string;
  folderId?: string;
  fileId?: string;
  name: string;
  size: number;
  /** The file's SHA-1 over the bytes received in order; parts that came early wait in `early`. */
  hash: Hash;
  received: number;
  early: Map<number, Buffer>;
  parts: Json[];
  committing: boolean;
}

const sessionsOf = new WeakMap<ActionParts["items"], Map<string, Session>>();

/**
 * Box's chunked upload on the upload host: create (`POST .../upload_sessions`), parts (`PUT` with
 * `content-range` and `digest: sha=`, each exactly `part_size` but the last), commit (`POST .../commit` with
 * the whole file's digest; the first commit answers 202 with `retry-after`, as Box does while it assembles),
 * abort (`DELETE`). Only the SHA-1 and size of the file are kept, not its bytes.
 */
export async function handleUploadSessions(
  ctx: ActionParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  authorized: () => boolean,
): Promise<boolean> {
  const method = req.method ?? "GET";
  const create = NEW_ROUTE.exec(url.pathname);
  const session = SESSION_ROUTE.exec(url.pathname);
  if (!(create && method === "POST") && !session) return false;
  if (!authorized()) return true;
  let sessions = sessionsOf.get(ctx.items);
  if (!sessions) sessionsOf.set(ctx.items, (sessions = new Map()));
  const found = session ? sessions.get(session[1]) : undefined;
  if (create) await open(ctx, sessions, req, res, create[1]);
  else if (!found) sendBoxError(res, 404, "Session not found", undefined, "not_found");
  else if (method === "PUT" && !session?.[2]) await part(found, req, res);
  else if (method === "POST" && session?.[2]) await commit(ctx, sessions, found, req, res);
  else if (method === "DELETE" && !session?.[2]) {
    sessions.delete(found.id);
    res.writeHead(204, { "content-length": 0 }).end();
  } else sendBoxError(res, 405, "Method Not Allowed");
  return true;
}

async function open(
  ctx: ActionParts,
  sessions: Map<string, Session>,
  req: IncomingMessage,
  res: ServerResponse,
  fileId?: string,
) {
  const spec = await readJson(req, res);
  if (!spec) return;
  const size = spec.file_size;
  if (!Number.isSafeInteger(size) || (size as number) > MAX_FILE_BYTES) return badRequest(res, "file_size is required");
  if ((size as number) < MIN_SESSION_FILE_BYTES) {
    return sendBoxError(
      res,
      400,
      "File size is less than minimum allowed for this API",
      undefined,
      "file_size_too_small",
    );
  }
  const tree = ctx.items.tree;
  const name = typeof spec.file_name === "string" ? spec.file_name : undefined;
  const folderId = typeof spec.folder_id === "string" ? spec.folder_id : undefined;
  if (fileId !== undefined) {
    if (!visible(tree.get({ type: "file", id: fileId }), res, "file")) return;
  } else {
    if (!name || !folderId) return badRequest(res, "folder_id and file_name are required");
    if (!visible(tree.get({ type: "folder", id: folderId }), res, "folder")) return;
    const conflict = tree.childrenOf(folderId).find((child) => child.name === name);
    if (conflict) {
      const info = { conflicts: tree.miniJson(conflict) };
      return sendBoxError(res, 409, "Item with the same name already exists", {}, "item_name_in_use", info);
    }
  }
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
  const id = randomBytes(16).toString("hex").toUpperCase();
  const session: Session = {
    id,
    folderId,
    fileId,
    name: name ?? "",
    size: size as number,
    hash: createHash("sha1"),
    received: 0,
    early: new Map(),
    parts: [],
    committing: false,
  };
  sessions.set(id, session);
  const base = `/api/2.0/files/upload_sessions/${id}`;
  sendJson(res, 201, {
    id,
    type: "upload_session",
    session_expires_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    part_size: PART_SIZE,
    total_parts: Math.ceil(session.size / PART_SIZE),
    num_parts_processed: 0,
    session_endpoints: {
      upload_part: base,
      commit: `${base}/commit`,
      abort: base,
      list_parts: `${base}/parts`,
      status: base,
    },
  });
}

async function part(session: Session, req: IncomingMessage, res: ServerResponse) {
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers["content-range"] ?? ""));
  const digest = /^sha=([A-Za-z0-9+/=]{28})$/.exec(String(req.headers.digest ?? ""))?.[1];
  const data = await readBodyBytes(req, res, PART_SIZE);
  if (!data) return;
  if (!range || !digest) return badRequest(res, "content-range and digest headers are required");
  const [from, to, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  const expected = Math.min(PART_SIZE, session.size - from);
  if (total !== session.size || from % PART_SIZE !== 0 || to - from + 1 !== data.length || data.length !== expected) {
    return sendBoxError(res, 416, "Part does not match the session's part size", undefined, "range_not_satisfiable");
  }
  if (createHash("sha1").update(data).digest("base64") !== digest) {
    return sendBoxError(res, 412, "The digest does not match the part", undefined, "sha1_mismatch");
  }
  const sha1 = createHash("sha1").update(data).digest("hex");
  const record = { part_id: randomBytes(4).toString("hex").toUpperCase(), offset: from, size: data.length, sha1 };
  if (!session.parts.some((p) => p.offset === from)) {
    session.parts.push(record);
    session.early.set(from, data);
    for (let next = session.early.get(session.received); next; next = session.early.get(session.received)) {
      session.early.delete(session.received);
      session.hash.update(next);
      session.received += next.length;
    }
  }
  sendJson(res, 200, { part: record });
}

async function commit(
  ctx: ActionParts,
  sessions: Map<string, Session>,
  session: Session,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const spec = await readJson(req, res);
  if (!spec) return;
  const digest = /^sha=(.+)$/.exec(String(req.headers.digest ?? ""))?.[1];
  const listed = Array.isArray(spec.parts) ? spec.parts.length : -1;
  if (session.received !== session.size || listed !== session.parts.length || !digest) {
    return badRequest(res, "parts missing or digest header absent");
  }
  if (!session.committing) {
    session.committing = true;
    return sendJson(res, 202, {}, { "retry-after": "1" });
  }
  const sha1 = session.hash.copy().digest();
  if (sha1.toString("base64") !== digest)
    return sendBoxError(res, 412, "The digest does not match the file", undefined, "sha1_mismatch");
  sessions.delete(session.id);
  const tree = ctx.items.tree;
  const file = session.fileId
    ? tree.updateContent(session.fileId, undefined, session.size)
    : tree.createFile(session.name, session.folderId, undefined, session.size);
  file.sha1 = sha1.toString("hex");
  ctx.items.events([{ ref: { type: "file", id: file.id }, eventType: "ITEM_UPLOAD" }]);
  sendJson(res, 201, { total_count: 1, entries: [tree.toJson(file)] });
}

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<Json | undefined> {
  const text = await readBody(req, res);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Json;
  } catch {
    /* answered below */
  }
  badRequest(res, "body must be a JSON object");
  return undefined;
}

function badRequest(res: ServerResponse, message: string): void {
  sendBoxError(res, 400, message, undefined, "bad_request");
}
