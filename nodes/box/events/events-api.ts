import { BoxError } from "../errors";
import { reason } from "../reasons";
import { BoxClient, jsonBody } from "../http/box-client";
import { errorFromResponse, HttpResponse } from "../http/http";
import { isStreamPosition, readNextStreamPosition } from "./stream-position";

export type UserStreamType = "all" | "changes" | "sync";
/** Box's enterprise event streams: polled (no long poll), for an enterprise admin's token only. */
export type EnterpriseStreamType = "admin_logs_streaming" | "admin_logs";
export type StreamType = UserStreamType | EnterpriseStreamType;

const STREAM_TYPES: readonly string[] = ["all", "changes", "sync", "admin_logs_streaming", "admin_logs"];

export function isStreamType(value: unknown): value is StreamType {
  return typeof value === "string" && STREAM_TYPES.includes(value);
}

export function isEnterpriseStream(type: StreamType): type is EnterpriseStreamType {
  return type === "admin_logs_streaming" || type === "admin_logs";
}

/** Filters Box applies on the server, for enterprise streams only (user streams ignore them). */
export interface EventsFilter {
  /** sent as `event_type`, comma-separated */
  eventTypes?: readonly string[];
  /** `admin_logs` only: events created at or after this ISO 8601 time */
  createdAfter?: string;
}
/** A Box event, passed on exactly as the API returned it. */
export type BoxEvent = Record<string, unknown> & { event_id?: string; event_type?: string };

export interface EventsPage {
  entries: BoxEvent[];
  /** Always a decimal string, exact even above 2^53. */
  nextPosition: string;
}

export interface RealtimeServer {
  url: string;
  maxRetries: number;
  retryTimeoutMs: number;
  ttlMs: number;
}

/** What the realtime server said; `timeout` when it said nothing within `retry_timeout`. */
export type RealtimeMessage = "new_change" | "reconnect" | "max_retries" | "out_of_date" | "timeout" | (string & {});

export const MAX_PAGE_SIZE = 500;
const DEFAULT_RETRY_TIMEOUT_SEC = 610;
const DEFAULT_MAX_RETRIES = 10;
const DEFAULT_TTL_MIN = 10;
/** Ceilings for what the OPTIONS answer may ask of us (Box sends 610 s, 10 retries, 10 minutes). */
const MAX_RETRY_TIMEOUT_SEC = 900;
const MAX_RETRIES = 100;
const MAX_TTL_MIN = 60;

/**
 * The most each answer may weigh. A page of 500 events is a few MB (each event carries its source item and
 * path); 32 MiB leaves room for unusually large events while keeping a 256 MB heap safe. The realtime server
 * (plain http, open to anyone on the path) only ever says a word such as `new_change`.
 */
export const MAX_EVENTS_BYTES = {
  events: 32 * 1024 * 1024,
  realtime: 8 * 1024,
  options: 64 * 1024,
} as const;

/** Said once per EventsApi: something in Box's answers that was skipped, so the stream could go on. */
export type EventsWarning = { kind: "skippedEntries"; count: number };

/** Box's event endpoints, as the event stream uses them: a page of events, the realtime server, the long poll. */
export class EventsApi {
  private readonly warned = new Set<EventsWarning["kind"]>();

  constructor(
    readonly client: BoxClient,
    private readonly onWarning?: (warning: EventsWarning) => void,
  ) {}

  /** One page of events; `position` undefined asks `admin_logs` for the first page after `filter.createdAfter`. */
  async getEvents(
    position: string | undefined,
    streamType: StreamType,
    limit: number,
    signal?: AbortSignal,
    filter: EventsFilter = {},
  ): Promise<EventsPage> {
    const path = `/2.0/events?${eventsQuery(position, checkedStreamType(streamType), limit, filter)}`;
    const { res, body } = await this.client
      .requestJson({ method: "GET", path, what: "events", maxBytes: MAX_EVENTS_BYTES.events, signal })
      .catch((err: unknown) => {
        throw isEnterpriseStream(streamType) ? adminOnly(err) : err;
      });
    const nextPosition = readNextStreamPosition(res.text, body);
    if (!Array.isArray(body.entries) || nextPosition === undefined || !isStreamPosition(nextPosition)) {
      throw new BoxError("protocol", "events: answer without entries or a valid next_stream_position");
    }
    // a null or a number is no event: passing it on (or stumbling on it) would stall or poison the flow
    const entries = body.entries.filter(isEventObject);
    const skipped = body.entries.length - entries.length;
    if (skipped > 0) this.warnOnce({ kind: "skippedEntries", count: skipped });
    return { entries, nextPosition };
  }

  async getRealtimeServer(streamType: UserStreamType, signal?: AbortSignal): Promise<RealtimeServer> {
    const query = new URLSearchParams({ stream_type: checkedStreamType(streamType) });
    const { body } = await this.client.requestJson({
      method: "OPTIONS",
      path: `/2.0/events?${query}`,
      what: "realtime server",
      maxBytes: MAX_EVENTS_BYTES.options,
      signal,
    });
    const entry = Array.isArray(body.entries) ? (body.entries[0] as Record<string, unknown> | undefined) : undefined;
    if (!entry || typeof entry.url !== "string" || !/^https?:\/\//.test(entry.url)) {
      throw new BoxError("protocol", "realtime server: answer without a URL");
    }
    return {
      url: entry.url,
      maxRetries: Math.min(MAX_RETRIES, positiveNumber(entry.max_retries, DEFAULT_MAX_RETRIES)),
      retryTimeoutMs:
        Math.min(MAX_RETRY_TIMEOUT_SEC, positiveNumber(entry.retry_timeout, DEFAULT_RETRY_TIMEOUT_SEC)) * 1000,
      ttlMs: Math.min(MAX_TTL_MIN, positiveNumber(entry.ttl, DEFAULT_TTL_MIN)) * 60_000,
    };
  }

  /**
   * Long poll. The realtime URL is plain http and identifies the subscription by its channel, so it
   * never gets the token. `stream_position` makes it answer at once when events are already waiting.
   */
  async longPoll(server: RealtimeServer, position: string, signal?: AbortSignal): Promise<RealtimeMessage> {
    // appended to the URL exactly as Box gave it (re-serialising its query could change the channel's encoding)
    const url = `${server.url}${server.url.includes("?") ? "&" : "?"}stream_position=${encodeURIComponent(position)}`;
    let res: HttpResponse;
    try {
      const timeoutMs = server.retryTimeoutMs;
      res = await this.client.sendWithoutToken({
        method: "GET",
        url,
        signal,
        timeoutMs,
        maxBytes: MAX_EVENTS_BYTES.realtime,
      });
    } catch (err) {
      if (err instanceof BoxError && err.details.code === "timeout") return "timeout";
      throw err;
    }
    if (res.status !== 200) throw errorFromResponse(res, "realtime server");
    const message = jsonBody(res, "realtime server").message;
    if (typeof message !== "string") throw new BoxError("protocol", "realtime server: answer without a message");
    return message;
  }

  private warnOnce(warning: EventsWarning): void {
    if (this.warned.has(warning.kind)) return;
    this.warned.add(warning.kind);
    this.onWarning?.(warning);
  }
}

function eventsQuery(
  position: string | undefined,
  streamType: StreamType,
  limit: number,
  filter: EventsFilter,
): URLSearchParams {
  const query = new URLSearchParams();
  if (position !== undefined) query.set("stream_position", position);
  query.set("stream_type", streamType);
  query.set("limit", String(limit));
  if (!isEnterpriseStream(streamType)) return query;
  if (filter.eventTypes?.length) query.set("event_type", filter.eventTypes.join(","));
  if (streamType === "admin_logs" && filter.createdAfter) query.set("created_after", filter.createdAfter);
  return query;
}

/** Box answers 403 to enterprise streams when the token is not an enterprise admin's: retrying cannot help. */
function adminOnly(err: unknown): unknown {
  if (!(err instanceof BoxError) || err.details.status !== 403) return err;
  return new BoxError("forbidden", reason("needsEnterpriseAdmin"), err.details);
}

/** Stream types go into a query string: only the ones Box defines. */
function checkedStreamType<T extends string>(streamType: T): T {
  if (!isStreamType(streamType)) throw new BoxError("config", reason("invalidStreamType"));
  return streamType;
}

function isEventObject(entry: unknown): entry is BoxEvent {
  return entry !== null && typeof entry === "object" && !Array.isArray(entry);
}

/** Box sends `ttl` and `max_retries` as strings in its spec and as numbers in its guides. */
function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === "string" ? Number(value.trim()) : typeof value === "number" ? value : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
