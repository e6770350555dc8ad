export interface EmulatorOptions {
  host?: string;
  /** Serve the API over https with this PEM key and certificate (the realtime server stays plain http, as Box's). */
  tls?: { key: string; cert: string };
  apiPort?: number;
  realtimePort?: number;
  /** Decimal string; positions are BigInt internally because Box's exceed 2^53. */
  positionBase?: string;
  positionFormat?: "number" | "string";
  realtimeTimeoutMs?: number;
  retryTimeout?: number;
  maxRetries?: number;
  ttl?: number;
  optionsNumbersAsStrings?: boolean;
  tokenLifetimeSec?: number;
  clientId?: string;
  clientSecret?: string;
  enterpriseId?: string;
  userId?: string;
  retentionEvents?: number;
}

export interface BoxEvent {
  type: "event";
  event_id: string;
  event_type: string;
  created_at: string;
  recorded_at: string;
  session_id: string | null;
  created_by: object | null;
  source: object | null;
  additional_details: object | null;
  [k: string]: unknown;
}

/** `items`: `GET /2.0/files/{id}`, `/2.0/folders/{id}` and `/2.0/folders/{id}/items` */
/** `content`: `GET /2.0/files/{id}/content` and uploads; `download`: the download host */
export type FaultTarget = "events" | "options" | "realtime" | "token" | "items" | "content" | "download" | "any";

export interface Fault {
  target: FaultTarget;
  kind: "reset" | "hang" | "status" | "garbage" | "message";
  status?: number;
  /** for kind "message": answer 200 `{"message": <this>}` (e.g. "reconnect", "max_retries", an unknown one) */
  message?: string;
  /** seconds */
  retryAfter?: number;
  times?: number;
}

export interface RequestRecord {
  server: "api" | "realtime" | "download";
  method: string;
  /** path + query */
  path: string;
  authorization?: string;
  /** The request carried a Proxy-Authorization header (which only a proxy may ever see). */
  proxyAuthorization?: true;
  /** The client's port: with a proxy in between, one of the proxy's. */
  remotePort?: number;
  at: number;
}

export interface Quirks {
  duplicatePages?: boolean;
  shortPages?: boolean;
  positionFormat?: "number" | "string";
  realtimeTimeoutMs?: number;
  retryTimeout?: number;
  maxRetries?: number;
  tokenLifetimeSec?: number;
}

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
  issueTokenPair(opts?: { clientId?: string; lifetimeSec?: number }): import("./tokens").TokenPair;
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
  }): Promise<import("./oauth").JwtApp>;
  /**
   * Moves the token endpoint's clock (JWT `exp` checks, the `Date` header of token answers) by `ms`.
   * `dateHeader: "none"` drops the Date header, so a client cannot correct for the skew.
   */
  setClockSkew(ms: number, opts?: { dateHeader?: "server" | "none" }): void;
  /** Holds every token answer this long (to make concurrent token requests visible). */
  setTokenDelay(ms: number): void;
  /** Token requests so far, and the most that were in flight at once. */
  tokenRequestStats(): import("./oauth").TokenRequestStats;
  /** Folders and files (`items.tree`) and what people do with them, each recording Box's event. */
  readonly items: import("./item-activity").ItemActivity;
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

export type StreamType = "all" | "changes" | "sync";

/** Options and quirks merged: what the servers consult on every request. */
export interface Settings {
  positionFormat: "number" | "string";
  realtimeTimeoutMs: number;
  retryTimeout: number;
  maxRetries: number;
  ttl: number;
  optionsNumbersAsStrings: boolean;
  tokenLifetimeSec: number;
  duplicatePages: boolean;
  shortPages: boolean;
}

export interface Account {
  clientId: string;
  clientSecret: string;
  enterpriseId: string;
  userId: string;
}
