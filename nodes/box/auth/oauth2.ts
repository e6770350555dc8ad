import { createHash } from "crypto";
import { englishReason, reason } from "../reasons";
import { DEFAULT_API_BASE_URL } from "../http/api-origin";
import { BoxError } from "../errors";
import { HttpClient } from "../http/http";
import { requestToken, TokenRequestError, TokenResponse } from "./token-endpoint";
import { CachingTokenSource, MintedToken, refreshMarginMs, TokenSource } from "./token-source";
import { StoredTokens, TokenStore } from "./token-store";

const REVOKED = reason("refreshTokenRevoked");
const BOX_AUTHORIZE_URL = "https://account.box.com/api/oauth2/authorize";
/** A pasted access token's expiry is unknown: assume Box's usual hour; a 401 ends it sooner. */
const PASTED_ACCESS_LIFETIME_SEC = 3600;

export interface OAuth2Client {
  clientId: string;
  clientSecret: string;
}

export interface OAuth2Options {
  http: HttpClient;
  origin: string;
  client: OAuth2Client;
  store: TokenStore;
  /** The config node's id: the key of its entry in the store. */
  nodeId: string;
  /** Tokens pasted into the node's credentials (`accessToken`, `refreshToken`). */
  pasted?: { accessToken?: string; refreshToken?: string };
  /** A rotated token could not be written to disk: it is still used, but would not survive a restart. */
  onPersistError?: (err: Error) => void;
}

/** Box's consent page for the default API; the emulator (any other origin) serves its own. */
export function authorizeUrl(origin: string, clientId: string, redirectUri: string, state: string): string {
  const base = origin === DEFAULT_API_BASE_URL ? BOX_AUTHORIZE_URL : `${origin}/api/oauth2/authorize`;
  const query = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, state });
  return `${base}?${query}`;
}

/** `authorization_code` grant: the code from the consent redirect becomes an access and refresh token. */
export async function exchangeCode(
  http: HttpClient,
  origin: string,
  client: OAuth2Client,
  code: string,
  redirectUri: string,
): Promise<TokenResponse> {
  const tokens = await requestToken(http, origin, {
    grant_type: "authorization_code",
    code,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: redirectUri,
  }).catch((err) => {
    throw err instanceof TokenRequestError && err.details.code === "invalid_grant"
      ? err.withReason(reason("authorizationCodeRefused"))
      : err;
  });
  if (!tokens.refreshToken) throw new BoxError("protocol", "Box sent no refresh token");
  return tokens;
}

/** What the store keeps after a grant; the caller adds what it knows (user, pasted hash). */
export function storedFrom(tokens: TokenResponse, clientId: string, previous?: StoredTokens): StoredTokens {
  const lifetimeSec = tokens.expiresInSec ?? PASTED_ACCESS_LIFETIME_SEC;
  return {
    ...previous,
    clientId,
    accessToken: tokens.accessToken,
    accessExpiresAt: Date.now() + lifetimeSec * 1000,
    accessLifetimeSec: lifetimeSec,
    refreshToken: tokens.refreshToken ?? previous?.refreshToken,
    error: undefined,
    updatedAt: Date.now(),
  };
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * OAuth 2 with Box's single-use refresh tokens. The store is the source of truth: every refresh
 * runs under the store's per-node lock, re-reads the entry (another source may have refreshed it)
 * and writes the new pair to disk before the new access token is handed out.
 *
 * Pasted tokens: the store wins, unless the refresh token pasted into the credentials differs from
 * the one the entry was seeded from or made beside (the user pasted a new one on purpose).
 */
export class OAuth2TokenSource implements TokenSource {
  private readonly cache = new CachingTokenSource(() => this.mint());
  private refused?: string;

  constructor(private readonly options: OAuth2Options) {}

  token(signal?: AbortSignal): Promise<string> {
    return this.cache.token(signal);
  }

  invalidate(token: string): void {
    this.refused = token;
    this.cache.invalidate(token);
  }

  private mint(): Promise<MintedToken> {
    const { store, nodeId, client } = this.options;
    return store.exclusive(nodeId, async () => {
      const entry = await this.reconciled(await store.get(nodeId));
      if (!entry || (!entry.refreshToken && !entry.accessToken)) throw notAuthorized(entry);
      if (entry.clientId !== client.clientId) throw new BoxError("config", reason("clientIdChanged"));
      const remainingMs = (entry.accessExpiresAt ?? 0) - Date.now();
      const lifetimeMs = (entry.accessLifetimeSec ?? PASTED_ACCESS_LIFETIME_SEC) * 1000;
      // Fresh enough that CachingTokenSource will not want a new one at once.
      if (entry.accessToken && entry.accessToken !== this.refused && remainingMs > 1.25 * refreshMarginMs(lifetimeMs)) {
        return { accessToken: entry.accessToken, expiresInSec: remainingMs / 1000 };
      }
      if (!entry.refreshToken) throw notAuthorized(entry);
      return this.refresh(entry);
    });
  }

  private async refresh(entry: StoredTokens): Promise<MintedToken> {
    const { http, origin, client } = this.options;
    let tokens: TokenResponse;
    try {
      tokens = await requestToken(http, origin, {
        grant_type: "refresh_token",
        refresh_token: entry.refreshToken as string,
        client_id: client.clientId,
        client_secret: client.clientSecret,
      });
    } catch (err) {
      if (err instanceof TokenRequestError && err.details.code === "invalid_grant") {
        const { accessToken, refreshToken, accessExpiresAt, ...rest } = entry;
        await this.save({ ...rest, error: englishReason(REVOKED), updatedAt: Date.now() });
        throw err.withReason(REVOKED);
      }
      throw err;
    }
    const next = storedFrom(tokens, client.clientId, entry);
    await this.save(next);
    return { accessToken: next.accessToken as string, expiresInSec: tokens.expiresInSec };
  }

  private async save(entry: StoredTokens): Promise<void> {
    try {
      await this.options.store.put(this.options.nodeId, entry);
    } catch (err) {
      this.options.onPersistError?.(err as Error);
    }
  }

  /** Seeds the store from pasted tokens the first time they are seen. */
  private async reconciled(entry: StoredTokens | undefined): Promise<StoredTokens | undefined> {
    const { pasted, client } = this.options;
    const refreshToken = pasted?.refreshToken?.trim();
    const accessToken = pasted?.accessToken?.trim();
    if (!refreshToken && !accessToken) return entry;
    const hash = refreshToken ? tokenHash(refreshToken) : undefined;
    if (entry && (!hash || entry.pastedRefreshHash === hash)) return entry;
    const seeded: StoredTokens = {
      clientId: client.clientId,
      accessToken: accessToken || undefined,
      accessExpiresAt: accessToken ? Date.now() + PASTED_ACCESS_LIFETIME_SEC * 1000 : undefined,
      accessLifetimeSec: PASTED_ACCESS_LIFETIME_SEC,
      refreshToken: refreshToken || undefined,
      pastedRefreshHash: hash,
      updatedAt: Date.now(),
    };
    await this.save(seeded);
    return seeded;
  }
}

/** No usable token in the store: what went wrong last (a revoked refresh token), or not authorized yet. */
export function notAuthorized(entry: StoredTokens | undefined): BoxError {
  if (entry?.error === englishReason(REVOKED)) return new BoxError("config", REVOKED);
  return new BoxError("config", entry?.error ?? reason("notAuthorized"));
}
