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
  /** the `as-user` header, when a request acts for a managed user */
  asUser?: string;
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
