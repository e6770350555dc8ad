import { checkedApiOrigin, isLoopback } from "../http/api-origin";
import { TokenSource, withToken } from "../auth/token-source";
import { Backoff } from "../backoff";
import { setTimeout as sleep } from "timers/promises";
import { BoxError } from "../errors";
import { errorFromResponse, HttpClient, HttpRequest, RawHttpResponse } from "../http/http";
import { ProxySettings } from "../http/proxy-settings";
import { RateGate } from "../http/rate-gate";
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
export interface RetryPolicy {
  maxRetries: number;
  /** Box asking for a longer pause than this fails the call at once: a message should not wait minutes. */
  maxWaitMs: number;
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, maxWaitMs: 30_000, baseMs: 500 };
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
const MAX_REDIRECTS = 3;
/** Longest wait for the headers, or between two chunks of a body. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Longest a whole call may take, a 100 MB download on a slow line included. */
const REQUEST_DEADLINE_MS = 15 * 60_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface ApiCallerOptions {
  apiBaseUrl?: string;
  tokens: TokenSource;
  /** The config's proxy: API, upload and download requests all go through it. */
  proxy: ProxySettings;
  retry?: RetryPolicy;
  requestTimeoutMs?: number;
  /** The config node's gate (one Box user): a 429 any node sees holds back this node's calls too. */
  rateGate?: RateGate;
}

/** One call of Box's API for a flow: token, retries, downloads through Box's redirect, size cap. */
export class BoxApiCaller {
  private readonly origin: string;
  private readonly http: HttpClient;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly gate: RateGate;

  constructor(private readonly options: ApiCallerOptions) {
    this.origin = checkedApiOrigin(options.apiBaseUrl);
    this.http = new HttpClient(options.proxy);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.gate = options.rateGate ?? new RateGate();
  }

  async call(req: ApiCallRequest): Promise<ApiCallResult> {
    const backoff = new Backoff({
      baseMs: this.retry.baseMs,
      maxMs: this.retry.maxWaitMs,
      helpBaseMs: 0,
      helpMaxMs: 0,
    });
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(req);
      } catch (err) {
        if (!(err instanceof BoxError) || !retryable(err, req.method) || attempt >= this.retry.maxRetries) throw err;
        if ((err.details.retryAfterMs ?? 0) > this.retry.maxWaitMs) throw err;
        await sleep(Math.min(backoff.nextDelayMs(err), this.retry.maxWaitMs), undefined, { signal: req.signal });
      }
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async once(req: ApiCallRequest): Promise<ApiCallResult> {
    const { url, headers, body } = this.requestParts(req);
    const what = `${req.method} ${req.path.split("?")[0]}`;
    const send = (token: string) =>
      this.gate.send(
        () =>
          this.http.sendRaw({
            ...this.base(req, url),
            headers: { ...headers, authorization: `Bearer ${token}` },
            body,
          }),
        req.signal,
      );
    let res = await withToken(this.options.tokens, send, req.signal);
    if (req.method === "GET") res = await this.followRedirects(req, url, res);
    if (res.status < 200 || res.status > 299) throw errorFromResponse(asText(res), what);
    return { statusCode: res.status, headers: res.headers, payload: decode(res.body, req.ret, what) };
  }

  private requestParts(req: ApiCallRequest): { url: string; headers: Record<string, string>; body?: Buffer | string } {
    const headers: Record<string, string> = { accept: req.ret === "obj" ? "application/json" : "*/*" };
    if (req.upload) {
      const form = multipartBody(req.upload, isNewVersionPath(req.path));
      return {
        url: uploadUrl(this.origin, req.path),
        headers: { ...headers, "content-type": form.contentType },
        body: form.body,
      };
    }
    const url = this.origin + req.path;
    if ((req.method !== "POST" && req.method !== "PUT") || req.body === undefined || req.body === null) {
      return { url, headers };
    }
    const body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    return { url, headers: { ...headers, "content-type": "application/json" }, body };
  }

  /** Box sends downloads to another host; that host gets the file's one-time URL, never the token. */
  private async followRedirects(req: ApiCallRequest, from: string, res: RawHttpResponse): Promise<RawHttpResponse> {
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
  private base(req: ApiCallRequest, url: string): HttpRequest {
    const { method, signal, maxBytes } = req;
    return { method, url, signal, maxBytes, timeoutMs: this.timeoutMs, deadlineMs: REQUEST_DEADLINE_MS };
  }
}

/** 429 is always safe to repeat (Box did nothing); a server error only for methods that may run twice. */
function retryable(err: BoxError, method: ApiMethod): boolean {
  if (err.kind === "rateLimited") return true;
  return (err.kind === "server" || err.kind === "network") && method !== "POST";
}

function decode(body: Buffer, ret: AnswerType, what: string): unknown {
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

function asText(res: RawHttpResponse) {
  return { status: res.status, headers: res.headers, text: res.body.toString("utf8") };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
