import { request } from "undici";
import { Dispatchers } from "./dispatchers";
import { reason } from "./reasons";
import { BoxError } from "./errors";
import { ProxySettings } from "./proxy-settings";
import { transportError } from "./transport-errors";

export interface HttpRequest {
  method: "GET" | "POST" | "OPTIONS";
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One keep-alive connection per origin and owner (a stream or a config node), through the config's proxy,
 * destroyed with it, so a closed node leaves no socket behind. Transport failures become BoxErrors
 * (`network`, `proxy`, `certificate`); an abort stays an AbortError so callers can tell "stopped" from "broken".
 */
export class HttpClient {
  private readonly dispatchers: Dispatchers;

  constructor(proxy: ProxySettings) {
    this.dispatchers = new Dispatchers(proxy);
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const route = this.dispatchers.for(req.url);
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        dispatcher: route.dispatcher,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason ?? err;
      throw transportError(err, route.proxied);
    }
  }

  close(): Promise<void> {
    return this.dispatchers.destroy();
  }
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
  const details = { status: res.status, code, requestId, retryAfterMs: retryAfterMs(res.headers) };
  const suffix = code ? ` (${code})` : "";
  if (res.status === 401) return new BoxError("unauthorized", reason("unauthorized"), details);
  if (res.status === 429) return new BoxError("rateLimited", `${what}: rate limited${suffix}`, details);
  if (res.status >= 500) return new BoxError("server", `${what}: HTTP ${res.status}${suffix}`, details);
  return new BoxError("request", `${what}: HTTP ${res.status}${suffix}`, details);
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
