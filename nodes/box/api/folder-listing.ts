import { ApiCallRequest, ApiCallResult, decodeAnswer } from "./api-call";
import { BoxError } from "../errors";
import type { Caller } from "./download";

/** The most entries one *List items* message carries; a larger folder fails rather than arrive cut short. */
export const MAX_LISTED_ENTRIES = 100_000;
/** Box's largest page of folder items. */
export const LISTING_PAGE = 1000;
/** An honest Box needs at most MAX/PAGE pages; short pages are allowed, twice that is a server going in circles. */
const MAX_PAGES = 2 * Math.ceil(MAX_LISTED_ENTRIES / LISTING_PAGE);
/** Box's markers are short tokens; a longer one is not Box's. */
const MAX_MARKER_LENGTH = 2048;

/**
 * Every entry of `GET /2.0/folders/{id}/items` (the request asks for `usemarker=true`): Box's marker pages,
 * each through the caller's one request path (token, rate gate, retries), until a page has no `next_marker`.
 * The node's size cap bounds all pages together; a repeated marker, too many pages or too many entries fail.
 */
export async function listAllItems(caller: Caller, request: ApiCallRequest): Promise<ApiCallResult> {
  const entries: unknown[] = [];
  const seen = new Set<string>();
  let bytesLeft = request.maxBytes;
  let marker: string | undefined;
  for (let pages = 1; ; pages++) {
    const path = marker === undefined ? request.path : `${request.path}&marker=${encodeURIComponent(marker)}`;
    const result = await onePage(caller, { ...request, path }, bytesLeft);
    bytesLeft -= result.bytes;
    entries.push(...result.page.entries);
    if (entries.length > MAX_LISTED_ENTRIES) throw tooMany();
    marker = result.page.nextMarker;
    if (marker === undefined) {
      return {
        statusCode: result.statusCode,
        headers: result.headers,
        payload: { total_count: entries.length, entries },
      };
    }
    if (seen.has(marker) || pages >= MAX_PAGES) throw loop();
    seen.add(marker);
  }
}

interface Page {
  entries: unknown[];
  nextMarker?: string;
}

async function onePage(
  caller: Caller,
  request: ApiCallRequest,
  bytesLeft: number,
): Promise<ApiCallResult & { page: Page; bytes: number }> {
  let result: ApiCallResult;
  try {
    const headers = { accept: "application/json", ...request.headers };
    result = await caller.call({ ...request, headers, ret: "bin", maxBytes: Math.max(1, bytesLeft) });
  } catch (err) {
    // the cap the message names is the node's, not what the earlier pages left of it
    if (!(err instanceof BoxError) || err.details.code !== "tooLarge") throw err;
    throw new BoxError(err.kind, `answer larger than ${request.maxBytes} bytes`, {
      ...err.details,
      description: String(request.maxBytes),
    });
  }
  const body = result.payload as Buffer;
  return { ...result, page: pageOf(decodeAnswer(body, "obj", "folder items")), bytes: body.length };
}

function pageOf(payload: unknown): Page {
  const page = payload as { entries?: unknown; next_marker?: unknown } | null;
  if (!page || typeof page !== "object" || !Array.isArray(page.entries)) {
    throw new BoxError("protocol", "folder items: answer without entries", { code: "bad_listing" });
  }
  const next = page.next_marker;
  if (next === undefined || next === null || next === "") return { entries: page.entries };
  if (typeof next !== "string" || next.length > MAX_MARKER_LENGTH) {
    throw new BoxError("protocol", "folder items: next_marker is not Box's", { code: "bad_listing" });
  }
  return { entries: page.entries, nextMarker: next };
}

function tooMany(): BoxError {
  return new BoxError("request", `folder has more than ${MAX_LISTED_ENTRIES} entries`, {
    code: "too_many_items",
    description: String(MAX_LISTED_ENTRIES),
  });
}

function loop(): BoxError {
  return new BoxError("protocol", "folder items: Box's pages do not come to an end", { code: "listing_loop" });
}
