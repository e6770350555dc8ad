import { createHash } from "crypto";
import { ApiCallRequest, ApiCallResult } from "./api-call";
import { BoxError } from "../errors";
import { retryAfterMs } from "../http/http";
import { sleep } from "../sleep";
import type { Caller } from "./download";
import type { UploadFile } from "./upload-body";

/** Box takes direct uploads up to 50 MB; above that, only upload sessions. */
export const DIRECT_UPLOAD_MAX_BYTES = 50 * 1024 * 1024;
/** Bounds on what Box's session answer may ask of us (it names 8 MB to 128 MB parts). */
const MAX_PART_SIZE = 512 * 1024 * 1024;
const MAX_PARTS = 10_000;
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_COMMIT_TRIES = 10;
const MAX_COMMIT_WAIT_MS = 30_000;

export interface ChunkedUploadOptions {
  /** A new version of this file instead of a new file in `file.parentId`. */
  fileId?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  maxBytes: number;
}

/**
 * Box's chunked upload: open a session, send each part of the size Box names with its SHA-1 digest,
 * commit with the whole file's digest (waiting out 202 + retry-after). A failed upload aborts its session.
 */
export async function chunkedUpload(caller: Caller, file: UploadFile, options: ChunkedUploadOptions) {
  const call = (req: Omit<ApiCallRequest, "ret" | "maxBytes" | "signal">) =>
    caller.call({
      ret: "obj",
      maxBytes: options.maxBytes,
      signal: options.signal,
      uploadHost: true,
      ...req,
      headers: { ...options.headers, ...req.headers },
    });
  const session = await openSession(call, file, options.fileId);
  try {
    const { parts, sha1 } = await sendParts(call, session, file.content);
    return await commit(call, session.id, parts, sha1, options.signal);
  } catch (err) {
    await call({ method: "DELETE", path: `/2.0/files/upload_sessions/${session.id}` }).catch(() => undefined);
    throw err;
  }
}

type Call = (req: Omit<ApiCallRequest, "ret" | "maxBytes" | "signal">) => Promise<ApiCallResult>;
interface Session {
  id: string;
  partSize: number;
}

async function openSession(call: Call, file: UploadFile, fileId?: string): Promise<Session> {
  const body = fileId
    ? { file_size: file.content.length, ...(file.filename ? { file_name: file.filename } : {}) }
    : { folder_id: file.parentId, file_size: file.content.length, file_name: file.filename };
  const path = fileId ? `/2.0/files/${fileId}/upload_sessions` : "/2.0/files/upload_sessions";
  const answer = (await call({ method: "POST", path, body })).payload as Record<string, unknown> | null;
  const id = answer?.id;
  const partSize = answer?.part_size;
  const fits =
    typeof id === "string" &&
    SESSION_ID.test(id) &&
    Number.isSafeInteger(partSize) &&
    (partSize as number) > 0 &&
    (partSize as number) <= MAX_PART_SIZE &&
    Math.ceil(file.content.length / (partSize as number)) <= MAX_PARTS;
  if (!fits) throw new BoxError("protocol", "upload session: answer without a usable id or part_size");
  return { id: id as string, partSize: partSize as number };
}

async function sendParts(call: Call, session: Session, content: Buffer) {
  const whole = createHash("sha1");
  const parts: unknown[] = [];
  for (let offset = 0; offset < content.length; offset += session.partSize) {
    const part = content.subarray(offset, Math.min(content.length, offset + session.partSize));
    whole.update(part);
    const range = `bytes ${offset}-${offset + part.length - 1}/${content.length}`;
    const headers = { "content-range": range, digest: `sha=${sha1Base64(part)}` };
    const answer = await call({ method: "PUT", path: `/2.0/files/upload_sessions/${session.id}`, body: part, headers });
    const uploaded = (answer.payload as { part?: unknown } | null)?.part;
    if (!uploaded || typeof uploaded !== "object") throw new BoxError("protocol", "upload session: part not accepted");
    parts.push(uploaded);
  }
  return { parts, sha1: whole.digest("base64") };
}

async function commit(call: Call, id: string, parts: unknown[], sha1: string, signal?: AbortSignal) {
  for (let attempt = 1; ; attempt++) {
    const result = await call({
      method: "POST",
      path: `/2.0/files/upload_sessions/${id}/commit`,
      body: { parts },
      headers: { digest: `sha=${sha1}` },
    });
    if (result.statusCode !== 202) return result;
    if (attempt >= MAX_COMMIT_TRIES) throw new BoxError("request", "upload session: commit not done", { status: 202 });
    await sleep(Math.min(MAX_COMMIT_WAIT_MS, retryAfterMs(result.headers) ?? 1000), signal);
    if (signal?.aborted) throw signal.reason;
  }
}

function sha1Base64(data: Buffer): string {
  return createHash("sha1").update(data).digest("base64");
}
