import type { ItemActivity } from "./item-activity";
import type { JwtApp, TokenRequestStats } from "./oauth";
import type { TokenPair } from "./tokens";
import type { BoxEvent, Fault, Quirks, RequestRecord } from "./types";

/** A running emulator, as tests, the demo and benchmarks drive it. */
export interface BoxEmulator {
  readonly apiUrl: string;
  readonly realtimeUrl: string;
  /** The download host `GET /2.0/files/{id}/content` redirects to (another origin, as Box's dl.boxcloud.com). */
  readonly downloadUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** A developer token; `admin`: it acts for an enterprise admin (enterprise events), as CCG/JWT `enterprise` tokens do. */
  issueToken(opts?: { lifetimeSec?: number; admin?: boolean }): string;
  revokeToken(token: string): void;
  revokeAllTokens(): void;
  expireAllTokens(): void;
  /** An access token and a single-use refresh token (60 days), as an OAuth 2 authorization gives. */
  issueTokenPair(opts?: { clientId?: string; lifetimeSec?: number }): TokenPair;
  /** Kills every refresh token (a user revoking the app's access). */
  revokeRefreshTokens(): void;
  /** Every access token, refresh token and authorization code issued so far. */
  issuedTokens(): readonly string[];
  /** A JWT app with a fresh key pair and its config file in Box's download format. */
  createJwtApp(opts?: {
    passphrase?: string;
    clientId?: string;
    clientSecret?: string;
    enterpriseId?: string;
  }): Promise<JwtApp>;
  /**
   * Moves the token endpoint's clock (JWT `exp` checks, the `Date` header of token answers) by `ms`.
   * `dateHeader: "none"` drops the Date header, so a client cannot correct for the skew.
   */
  setClockSkew(ms: number, opts?: { dateHeader?: "server" | "none" }): void;
  /** Holds every token answer this long (to make concurrent token requests visible). */
  setTokenDelay(ms: number): void;
  /** Token requests so far, and the most that were in flight at once. */
  tokenRequestStats(): TokenRequestStats;
  /** Folders and files (`items.tree`) and what people do with them, each recording Box's event. */
  readonly items: ItemActivity;
  createEvent(partial?: Partial<BoxEvent>): BoxEvent;
  createEvents(count: number, partial?: Partial<BoxEvent>): BoxEvent[];
  events(): readonly BoxEvent[];
  /** An enterprise (admin log) event, default `LOGIN`: served by the admin_logs and admin_logs_streaming streams. */
  createEnterpriseEvent(partial?: Partial<BoxEvent>): BoxEvent;
  createEnterpriseEvents(count: number, partial?: Partial<BoxEvent>): BoxEvent[];
  enterpriseEvents(): readonly BoxEvent[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setQuirks(q: Quirks): void;
  readonly requests: RequestRecord[];
  clearRequests(): void;
  openConnections(): number;
  heldPolls(): number;
  close(): Promise<void>;
}
