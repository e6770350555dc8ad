import { Dispatcher, request } from "undici";
import { Dispatchers } from "./dispatchers";
import { reason } from "../reasons";
import { BoxError } from "../errors";
import { ProxySettings } from "./proxy-settings";
import { transportError } from "./transport-errors";

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE" | "OPTIONS";
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Longest wait for the headers, or between two chunks of the body. */
  timeoutMs: number;
  /** Longest the whole request may take, body included (a server dripping a byte at a time); default 2 × timeoutMs. */
  deadlineMs?: number;
  /** Most bytes of body read; a longer answer is aborted as a `protocol` error. Default DEFAULT_MAX_BODY_BYTES. */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** An answer as bytes (downloads), read up to the request's `maxBytes`. */
export interface RawHttpResponse {
  status: number;
  headers: HttpResponse["headers"];
  body: Buffer;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** setTimeout's ceiling: a larger delay fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const TOO_LARGE = "tooLarge";

/**
 * One keep-alive connection per origin and owner (a stream or a config node), through the config's proxy,
 * destroyed with it, so a closed node leaves no socket behind. Transport failures become BoxErrors
 * (`network`, `proxy`, `certificate`); an abort stays an AbortError so callers can tell "stopped" from "broken".
 * Every byte is hostile: the body is counted while it streams in and cut off past `maxBytes`, and the whole
 * request has a deadline.
 */
export class HttpClient {
  private readonly dispatchers: Dispatchers;

  constructor(proxy: ProxySettings) {
    this.dispatchers = new Dispatchers(proxy);
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.sendRaw(req);
    return { status: res.status, headers: res.headers, text: res.body.toString("utf8") };
  }

  /** Like `send`, with the answer as bytes. */
  async sendRaw(req: HttpRequest): Promise<RawHttpResponse> {
    const route = this.dispatchers.for(req.url);
    const timeoutMs = Math.min(req.timeoutMs, MAX_TIMER_MS);
    const deadlineMs = Math.min(req.deadlineMs ?? 2 * timeoutMs, MAX_TIMER_MS);
    const startedAt = Date.now();
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        dispatcher: route.dispatcher,
        headersTimeout: Math.min(timeoutMs, deadlineMs),
        bodyTimeout: timeoutMs,
      });
      const limits = { maxBytes: req.maxBytes ?? DEFAULT_MAX_BODY_BYTES, ms: deadlineMs - (Date.now() - startedAt) };
      const body = await readCapped(res, limits);
      return { status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      if (err instanceof BoxError) throw err;
      throw transportError(err, route.proxied);
    }
  }

  close(): Promise<void> {
    return this.dispatchers.destroy();
  }
}

/**
 * The body, read no further than `limits.maxBytes` and for no longer than `limits.ms` (the rest of the
 * request's deadline: the headers had `headersTimeout`): a larger or slower answer is dropped with its
 * connection. A timer and 'data' events rather than an AbortController and an async iterator per request,
 * which cost as much as the rest of the client on the latency and drain paths.
 */
function readCapped(res: Dispatcher.ResponseData, limits: { maxBytes: number; ms: number }): Promise<Buffer> {
  const dropped = (error: BoxError) => {
    // destroying an unread body emits undici's AbortError: without a listener it would crash the process
    res.body.on("error", () => undefined).destroy();
    return error;
  };
  const tooLarge = () =>
    dropped(
      new BoxError("protocol", `answer larger than ${limits.maxBytes} bytes`, {
        status: res.statusCode,
        code: TOO_LARGE,
        description: String(limits.maxBytes),
      }),
    );
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: unknown) => {
      clearTimeout(deadline);
      reject(error);
    };
    const deadline = setTimeout(
      () => fail(dropped(new BoxError("network", "timeout", { code: "timeout" }))),
      Math.max(1, limits.ms),
    );
    res.body
      .on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) fail(tooLarge());
        else chunks.push(chunk);
      })
      .on("end", () => {
        clearTimeout(deadline);
        resolve(Buffer.concat(chunks, size));
      })
      .on("error", fail);
  });
}

/** `retry-after` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(headers: HttpResponse["headers"]): number | undefined {
  const raw = headers["retry-after"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Turns a non-2xx answer into the kind of error the stream acts on. */
export function errorFromResponse(res: HttpResponse, what: string): BoxError {
  const body = parseJsonObject(res.text);
  const code = typeof body?.code === "string" ? body.code : typeof body?.error === "string" ? body.error : undefined;
  const requestId = typeof body?.request_id === "string" ? body.request_id : undefined;
  // Box's own words, shortened: they reach Catch nodes and logs
  const description = typeof body?.message === "string" ? body.message.slice(0, 300) : undefined;
  const details = {
    status: res.status,
    code,
    requestId,
    description,
    retryAfterMs: retryAfterMs(res.headers),
    conflictId: conflictId(body),
  };
  const suffix = code ? ` (${code})` : "";
  if (res.status === 401) return new BoxError("unauthorized", reason("unauthorized"), details);
  if (res.status === 429) return new BoxError("rateLimited", `${what}: rate limited${suffix}`, details);
  if (res.status >= 500) return new BoxError("server", `${what}: HTTP ${res.status}${suffix}`, details);
  return new BoxError("request", `${what}: HTTP ${res.status}${suffix}`, details);
}

/** Box names the item in the way of a 409 as one object (uploads) or a list of them (folders, copies). */
function conflictId(body: Record<string, unknown> | undefined): string | undefined {
  const info = body?.context_info as { conflicts?: unknown } | undefined;
  const conflict: unknown = Array.isArray(info?.conflicts) ? info.conflicts[0] : info?.conflicts;
  const id = (conflict as { id?: unknown } | undefined)?.id;
  return typeof id === "string" && /^\d{1,20}$/.test(id) ? id : undefined;
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
