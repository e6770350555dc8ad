import { ApiCallRequest, ApiCallResult } from "./api-call";
import { BoxError } from "../errors";
import { retryAfterMs } from "../http/http";
import { sleep } from "../sleep";

export type Caller = { call(req: ApiCallRequest): Promise<ApiCallResult> };

/** Box's `retry-after` on a file that is not ready is seconds; a hostile one must not hold a message for hours. */
const MAX_NOT_READY_WAIT_MS = 30_000;
const DEFAULT_NOT_READY_WAIT_MS = 1000;
const MAX_NOT_READY_TRIES = 10;

/**
 * `GET /2.0/files/{id}/content`: Box answers 202 with `retry-after` while a just-uploaded file is not ready;
 * ask again after that delay (capped), a bounded number of times.
 */
export async function download(
  caller: Caller,
  request: ApiCallRequest,
): Promise<ApiCallResult & { filename?: string }> {
  for (let attempt = 1; ; attempt++) {
    const result = await caller.call(request);
    if (result.statusCode !== 202)
      return { ...result, filename: dispositionName(result.headers["content-disposition"]) };
    if (attempt >= MAX_NOT_READY_TRIES) {
      throw new BoxError("request", "file not ready for download", { status: 202, code: "not_ready" });
    }
    const wait = retryAfterMs(result.headers) ?? DEFAULT_NOT_READY_WAIT_MS;
    await sleep(Math.min(MAX_NOT_READY_WAIT_MS, wait), request.signal);
    if (request.signal?.aborted) throw request.signal.reason;
  }
}

/** The file name of a `content-disposition` header (`filename*=UTF-8''...` first, then `filename="..."`). */
export function dispositionName(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(value)?.[1];
  let name: string | undefined;
  try {
    name = extended ? decodeURIComponent(extended.trim()) : undefined;
  } catch {
    name = undefined;
  }
  name ??= /filename\s*=\s*"([^"]*)"/.exec(value)?.[1] ?? /filename\s*=\s*([^;\s]+)/.exec(value)?.[1];
  // a name only: no folders, no control characters, Box's length limit
  const clean = name
    ?.replace(/^.*[\\/]/, "")
    .replace(/\p{Cc}/gu, "")
    .slice(0, 255);
  return clean || undefined;
}
