import { randomBytes } from "crypto";

/** Box's refresh tokens live 60 days and are single use. */
export const REFRESH_TOKEN_LIFETIME_SEC = 60 * 24 * 3600;
/** Every token ever issued is remembered (for leak scans in tests), up to this many. */
const ISSUED_MEMORY = 20_000;

export interface RefreshGrant {
  clientId: string;
  userId: string;
  expiresAt: number;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** Opaque bearer tokens with an expiry; revoked or expired tokens are simply forgotten. */
export class TokenStore {
  private readonly expiry = new Map<string, number>();
  /** Tokens that act for an enterprise admin (CCG or JWT with subject type `enterprise`): enterprise events. */
  private readonly admins = new Set<string>();
  private readonly refresh = new Map<string, RefreshGrant>();
  private readonly issued: string[] = [];

  issue(lifetimeSec: number, opts: { admin?: boolean } = {}): string {
    if (this.expiry.size > 1000) this.prune();
    const token = this.remember(randomBytes(24).toString("base64url"));
    this.expiry.set(token, Date.now() + lifetimeSec * 1000);
    if (opts.admin) this.admins.add(token);
    return token;
  }

  /** An access token and a single-use refresh token, as the authorization_code and refresh_token grants return. */
  issuePair(clientId: string, userId: string, lifetimeSec: number): TokenPair {
    const refreshToken = this.remember(randomBytes(32).toString("base64url"));
    this.refresh.set(refreshToken, { clientId, userId, expiresAt: Date.now() + REFRESH_TOKEN_LIFETIME_SEC * 1000 });
    return { accessToken: this.issue(lifetimeSec), refreshToken };
  }

  /** Uses up a refresh token: whatever the outcome, it can never be used again. */
  redeemRefreshToken(token: string): RefreshGrant | undefined {
    const grant = this.refresh.get(token);
    this.refresh.delete(token);
    return grant && grant.expiresAt > Date.now() ? grant : undefined;
  }

  isValid(token: string | undefined): boolean {
    if (token === undefined) return false;
    const exp = this.expiry.get(token);
    if (exp === undefined) return false;
    if (exp <= Date.now()) {
      this.expiry.delete(token);
      return false;
    }
    return true;
  }

  /** A valid token of an enterprise admin. */
  isAdmin(token: string | undefined): boolean {
    return this.isValid(token) && this.admins.has(token as string);
  }

  revoke(token: string): void {
    this.expiry.delete(token);
    this.admins.delete(token);
  }

  revokeAll(): void {
    this.expiry.clear();
    this.admins.clear();
  }

  revokeRefreshTokens(): void {
    this.refresh.clear();
  }

  expireAll(): void {
    const past = Date.now() - 1;
    for (const token of this.expiry.keys()) this.expiry.set(token, past);
  }

  /** Every access and refresh token issued so far (the most recent 20,000). */
  issuedTokens(): readonly string[] {
    return this.issued;
  }

  remember(token: string): string {
    this.issued.push(token);
    if (this.issued.length > ISSUED_MEMORY) this.issued.splice(0, this.issued.length - ISSUED_MEMORY);
    return token;
  }

  private prune(): void {
    const now = Date.now();
    for (const [token, exp] of this.expiry) {
      if (exp > now) continue;
      this.expiry.delete(token);
      this.admins.delete(token);
    }
  }
}
