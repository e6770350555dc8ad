import { BoxError } from "../errors";
import { BoxClient, RetryRule } from "../http/box-client";
import { RawHttpResponse } from "../http/http";
import { isNewVersionPath, multipartBody, UploadFile, uploadUrl } from "./upload-body";

export type ApiMethod = "GET" | "POST" | "PUT" | "DELETE";
export type AnswerType = "obj" | "txt" | "bin";

export interface ApiCallRequest {
  method: ApiMethod;
  /** A checked path on the API origin (see `checkedApiPath`). */
  path: string;
  /** JSON body of POST/PUT: a string is sent as it is, anything else as JSON. */
  body?: unknown;
  /** Set for an upload (`path` is then an upload path). */
  upload?: UploadFile;
  /** Sent on the upload host (Box's upload sessions), as `upload` is. */
  uploadHost?: boolean;
  /** Extra headers (`as-user`, a `digest`, a JSON-Patch content type); they win over the defaults. */
  headers?: Record<string, string>;
  ret: AnswerType;
  maxBytes: number;
  signal?: AbortSignal;
}

export interface ApiCallResult {
  statusCode: number;
  headers: RawHttpResponse["headers"];
  payload: unknown;
}

/** How often and how long a call waits out 429s and server errors before it gives up. */
export type RetryPolicy = Omit<RetryRule, "retries">;

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, maxWaitMs: 30_000, baseMs: 500 };
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
/** Longest wait for the headers, or between two chunks of a body. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Longest a whole call may take, a 100 MB download on a slow line included. */
const REQUEST_DEADLINE_MS = 15 * 60_000;

/**
 * One call of Box's API for a flow, through the config's BoxClient: retries 429s (and server errors unless
 * POST), follows a GET's redirect to the download host without the token, and decodes the answer as `ret` says.
 */
export async function callBoxApi(
  client: BoxClient,
  req: ApiCallRequest,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<ApiCallResult> {
  const what = `${req.method} ${req.path.split("?")[0]}`;
  const res = await client.request({
    ...requestParts(client.origin, req),
    method: req.method,
    path: req.path,
    what,
    maxBytes: req.maxBytes,
    signal: req.signal,
    retry: { ...retry, retries: (err) => retryable(err, req.method) },
    followRedirects: req.method === "GET",
    timeoutMs: REQUEST_TIMEOUT_MS,
    deadlineMs: REQUEST_DEADLINE_MS,
  });
  return { statusCode: res.status, headers: res.headers, payload: decodeAnswer(res.body, req.ret, what) };
}

function requestParts(
  origin: string,
  req: ApiCallRequest,
): { url?: string; headers: Record<string, string>; body?: Buffer | string } {
  const headers: Record<string, string> = { accept: req.ret === "obj" ? "application/json" : "*/*" };
  if (req.upload) {
    const form = multipartBody(req.upload, isNewVersionPath(req.path));
    return {
      url: uploadUrl(origin, req.path),
      headers: { ...headers, ...req.headers, "content-type": form.contentType },
      body: form.body,
    };
  }
  const url = req.uploadHost ? uploadUrl(origin, req.path) : undefined;
  if ((req.method !== "POST" && req.method !== "PUT") || req.body === undefined || req.body === null) {
    return { url, headers: { ...headers, ...req.headers } };
  }
  if (Buffer.isBuffer(req.body)) {
    return { url, headers: { ...headers, "content-type": "application/octet-stream", ...req.headers }, body: req.body };
  }
  const body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
  return { url, headers: { ...headers, "content-type": "application/json", ...req.headers }, body };
}

/** 429 is always safe to repeat (Box did nothing); a server error only for methods that may run twice. */
function retryable(err: BoxError, method: ApiMethod): boolean {
  if (err.kind === "rateLimited") return true;
  return (err.kind === "server" || err.kind === "network") && method !== "POST";
}

/** Box's answer as `ret` asks: the bytes, the text, or parsed JSON (a `protocol` error when it is not JSON). */
export function decodeAnswer(body: Buffer, ret: AnswerType, what: string): unknown {
  if (ret === "bin") return body;
  const text = body.toString("utf8");
  if (ret === "txt") return text;
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new BoxError("protocol", `${what}: answer is not JSON`, { code: "not_json" });
  }
}
