import { setTimeout as sleep } from "timers/promises";
import { checkedApiOrigin, isLoopback } from "./api-origin";
import { TokenSource, withToken } from "../auth/token-source";
import { Backoff } from "../backoff";
import { BoxError } from "../errors";
import { errorFromResponse, HttpClient, HttpRequest, HttpResponse, parseJsonObject, RawHttpResponse } from "./http";
import { ProxySettings } from "./proxy-settings";
import { RateGate } from "./rate-gate";

/** Which failures a call repeats, how often, and how long it waits out Box's `retry-after`. */
export interface RetryRule {
  maxRetries: number;
  /** Box asking for a longer pause than this fails the call at once: a message should not wait minutes. */
  maxWaitMs: number;
  baseMs: number;
  retries: (err: BoxError) => boolean;
}

/** One request to Box's API; what differs between callers is a field here, not another client. */
export interface BoxRequest {
  method: HttpRequest["method"];
  /** A checked path on the API origin, query included. */
  path: string;
  /** Another Box host built from `origin` (uploads); the token goes there too. Default: origin + path. */
  url?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Names the call in error messages, e.g. `events`. */
  what: string;
  /** The answer cap: a larger answer fails as a `protocol` error with code `tooLarge`. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Default: no retry (the caller has its own loop, e.g. the event stream's backoff). */
  retry?: RetryRule;
  /** Follow Box's redirects to another host (downloads), never with the token. Default: not followed. */
  followRedirects?: boolean;
  /** Longest wait for the headers or between two chunks; default the client's `requestTimeoutMs`. */
  timeoutMs?: number;
  /** Longest the whole request may take; default twice `timeoutMs`. */
  deadlineMs?: number;
}

export interface BoxClientOptions {
  apiBaseUrl?: string;
  tokens: TokenSource;
  /** The config's proxy: every request, the realtime long poll and downloads included, goes through it. */
  proxy: ProxySettings;
  requestTimeoutMs?: number;
  /** Shared by every client of one config node (one Box user): a 429 any node sees pauses all of them. */
  rateGate?: RateGate;
}

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The one path every request to Box takes: the checked origin, the bearer token with one fresh token on 401,
 * the config's rate gate, size caps and timeouts, redirects without the token, and Box's errors as BoxErrors.
 */
export class BoxClient {
  readonly origin: string;
  private readonly http: HttpClient;
  private readonly gate: RateGate;
  private readonly timeoutMs: number;

  constructor(private readonly options: BoxClientOptions) {
    this.origin = checkedApiOrigin(options.apiBaseUrl);
    this.http = new HttpClient(options.proxy);
    this.gate = options.rateGate ?? new RateGate();
    this.timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  /** A 2xx answer, after the retries `req.retry` allows; anything else throws a BoxError. */
  async request(req: BoxRequest): Promise<RawHttpResponse> {
    const rule = req.retry;
    if (!rule) return this.once(req);
    const backoff = new Backoff({ baseMs: rule.baseMs, maxMs: rule.maxWaitMs, helpBaseMs: 0, helpMaxMs: 0 });
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(req);
      } catch (err) {
        if (!(err instanceof BoxError) || !rule.retries(err) || attempt >= rule.maxRetries) throw err;
        if ((err.details.retryAfterMs ?? 0) > rule.maxWaitMs) throw err;
        await sleep(Math.min(backoff.nextDelayMs(err), rule.maxWaitMs), undefined, { signal: req.signal });
      }
    }
  }

  /** `request` with the answer as text and a JSON object required, e.g. for Box's API objects. */
  async requestJson(req: BoxRequest): Promise<{ res: HttpResponse; body: Record<string, unknown> }> {
    const res = asText(await this.request(req));
    return { res, body: jsonBody(res, req.what) };
  }

  /** A request that must never carry the token (Box's realtime server), through the same proxy and caps. */
  sendWithoutToken(req: HttpRequest): Promise<HttpResponse> {
    return this.http.send(req);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async once(req: BoxRequest): Promise<RawHttpResponse> {
    const url = req.url ?? this.origin + req.path;
    const send = (token: string) =>
      this.gate.send(
        () =>
          this.http.sendRaw({
            ...this.base(req, url),
            headers: { accept: "application/json", ...req.headers, authorization: `Bearer ${token}` },
            body: req.body,
          }),
        req.signal,
      );
    let res = await withToken(this.options.tokens, send, req.signal);
    if (req.followRedirects) res = await this.followRedirects(req, url, res);
    if (res.status < 200 || res.status > 299) throw errorFromResponse(asText(res), req.what);
    return res;
  }

  /** Box sends downloads to another host; that host gets the file's one-time URL, never the token. */
  private async followRedirects(req: BoxRequest, from: string, res: RawHttpResponse): Promise<RawHttpResponse> {
    for (let hops = 0; REDIRECT_STATUSES.has(res.status); hops++) {
      const location = firstHeader(res.headers.location);
      if (!location) return res;
      if (hops >= MAX_REDIRECTS) throw new BoxError("protocol", "too many redirects", { code: "too_many_redirects" });
      const target = new URL(location, from);
      if (target.protocol !== "https:" && !(target.protocol === "http:" && isLoopback(target.hostname))) {
        throw new BoxError("protocol", "redirect to a plain http URL", { code: "insecure_redirect" });
      }
      from = target.toString();
      res = await this.http.sendRaw({ ...this.base(req, from), headers: { accept: "*/*" } });
    }
    return res;
  }

  /** What every request of a call shares: the size cap, the timeouts, the caller's signal. */
  private base(req: BoxRequest, url: string): HttpRequest {
    const { method, signal, maxBytes, deadlineMs } = req;
    return { method, url, signal, maxBytes, timeoutMs: req.timeoutMs ?? this.timeoutMs, deadlineMs };
  }
}

export function asText(res: RawHttpResponse): HttpResponse {
  return { status: res.status, headers: res.headers, text: res.body.toString("utf8") };
}

/** The answer as a JSON object, or a `protocol` error naming the call. */
export function jsonBody(res: HttpResponse, what: string): Record<string, unknown> {
  const body = parseJsonObject(res.text);
  if (!body) throw new BoxError("protocol", `${what}: answer is not JSON`, { status: res.status });
  return body;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
