import { BoxError } from "../errors";
import { reason } from "../reasons";

/** Where a stream gets its bearer token. One per config node, shared by every node that uses it. */
export interface TokenSource {
  token(signal?: AbortSignal): Promise<string>;
  /** This token was refused with a 401: the next `token()` must not return it again. */
  invalidate(token: string): void;
}

/**
 * Sends a request with a bearer token; on a 401 the token is dropped and the request is sent once more
 * with a fresh one (an expired or revoked token), never more, so a dead credential cannot storm Box.
 */
export async function withToken<T extends { status: number }>(
  tokens: TokenSource,
  send: (token: string) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const token = await tokens.token(signal);
  const res = await send(token);
  if (res.status !== 401) return res;
  tokens.invalidate(token);
  const fresh = await tokens.token(signal);
  return fresh !== token ? send(fresh) : res;
}

export interface MintedToken {
  accessToken: string;
  expiresInSec?: number;
}

const DEFAULT_LIFETIME_SEC = 3600;

/** How long before a token expires a new one is minted: a fifth of its lifetime, at most a minute. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs * 0.2);
}
/** A refused grant (wrong secret, revoked refresh token) is remembered this long, so twenty nodes retrying share one request. */
const FAILURE_MEMORY_MS = 10_000;

/**
 * Keeps one minted token and mints the next one shortly before it expires or after a 401. However
 * many callers ask at once, only one mint runs.
 */
export class CachingTokenSource implements TokenSource {
  private current?: { token: string; refreshAt: number };
  private inflight?: Promise<string>;
  private lastFailure?: { error: BoxError; at: number };

  constructor(
    private readonly mint: () => Promise<MintedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  token(signal?: AbortSignal): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return Promise.resolve(this.current.token);
    if (this.lastFailure && this.now() - this.lastFailure.at < FAILURE_MEMORY_MS)
      return Promise.reject(this.lastFailure.error);
    this.inflight ??= this.mintOnce();
    return signal ? raceAbort(this.inflight, signal) : this.inflight;
  }

  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async mintOnce(): Promise<string> {
    try {
      const minted = await this.mint();
      const lifetimeMs = (minted.expiresInSec ?? DEFAULT_LIFETIME_SEC) * 1000;
      this.current = { token: minted.accessToken, refreshAt: this.now() + lifetimeMs - refreshMarginMs(lifetimeMs) };
      this.lastFailure = undefined;
      return minted.accessToken;
    } catch (err) {
      if (err instanceof BoxError && err.needsHelp) this.lastFailure = { error: err, at: this.now() };
      throw err;
    } finally {
      this.inflight = undefined;
    }
  }
}

/**
 * A developer token (or an access token a dialog tests): it cannot be refreshed, so once Box refuses it the
 * stream needs a new one. A 401 does not say why, so the reason says refused, not expired.
 */
export class DeveloperTokenSource implements TokenSource {
  private refused = false;

  constructor(
    private readonly accessToken: string,
    private readonly refusedReason: "developerTokenRefused" | "accessTokenRefused" = "developerTokenRefused",
  ) {}

  token(): Promise<string> {
    if (this.refused) return Promise.reject(new BoxError("unauthorized", reason(this.refusedReason)));
    return Promise.resolve(this.accessToken);
  }

  invalidate(token: string): void {
    if (token === this.accessToken) this.refused = true;
  }
}

export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/**
 * A config node that cannot work (missing or malformed credentials): every `token()` fails with the
 * same `config` error. Failing on the next turn of the event loop rather than at once lets the error
 * reach Catch nodes, which Node-RED wires up only after every node of the flow is constructed.
 */
export class FailedTokenSource implements TokenSource {
  constructor(readonly error: BoxError) {}

  token(): Promise<string> {
    return new Promise((_resolve, reject) => setImmediate(() => reject(this.error)));
  }

  invalidate(): void {}
}
