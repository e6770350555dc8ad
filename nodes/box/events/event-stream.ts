import { Backoff, BackoffPolicy, DEFAULT_BACKOFF } from "../backoff";
import { reason } from "../reasons";
import {
  BoxEvent,
  EventsApi,
  EventsFilter,
  isEnterpriseStream,
  MAX_PAGE_SIZE,
  RealtimeServer,
  StreamType,
  UserStreamType,
} from "./events-api";
import { BoxError } from "../errors";
import { RecentIds } from "./recent-ids";
import { sleep } from "../sleep";
import { isStreamPosition } from "./stream-position";
import { Checkpoint, PagePoint } from "./position-store";

export type { Checkpoint, PagePoint } from "./position-store";

export type StreamState = "connecting" | "polling" | "reconnecting" | "failed";
export type StartFrom = "now" | "beginning" | { position: string };

export interface EventStreamOptions {
  api: Pick<EventsApi, "getEvents" | "getRealtimeServer" | "longPoll">;
  streamType: StreamType;
  /** Where to begin when there is no checkpoint. */
  startFrom: StartFrom;
  checkpoint?: Checkpoint;
  /** Only these `event_type`s reach `onEvents`; empty passes all. */
  eventTypes?: readonly string[];
  /**
   * Called once per page, in Box's order, with the events not seen before and where the page began (`from`: absent
   * for the starting position handed on its own). Save the checkpoint after it returns; the next page is fetched
   * only then.
   */
  onEvents(events: BoxEvent[], position: string, from?: PagePoint): void | Promise<void>;
  onState(state: StreamState, error?: BoxError, retryInMs?: number): void;
  /** Enterprise streams: the pause between one catch-up and the next (Box has no long poll for them). */
  pollIntervalMs?: number;
  /**
   * Hand the starting position to `onEvents` (with no events) at once, so that it is saved before the first event:
   * with replicas, a takeover before the first event must go on from here, not from a later "now".
   */
  saveStartingPosition?: boolean;
  backoff?: BackoffPolicy;
}

const RECENT_ID_CAPACITY = 2000;
/** Longest pause when the realtime server keeps waking us for nothing or sending us away at once. */
const BRAKE_MAX_MS = 5000;
const QUICK_RECONNECT_MS = 1000;
const DEFAULT_POLL_INTERVAL_MS = 60_000;

/**
 * Box's event lifecycle as one loop: starting position, fetch what is pending, wait for news, back off
 * on trouble. User streams wait with Box's long poll (OPTIONS for a realtime server, long poll with the
 * position, fetch on new_change, new server on reconnect); enterprise streams have none and look again
 * after `pollIntervalMs`. It knows nothing of Node-RED.
 */
export class EventStream {
  private position?: string;
  private createdAfter?: string;
  private readonly recent: RecentIds;
  private readonly eventTypes: ReadonlySet<string>;
  private readonly backoff: Backoff;
  /** Enterprise streams only: set means "poll on a timer" instead of a long poll. */
  private readonly pollIntervalMs?: number;
  private readonly filter: EventsFilter;
  private state?: StreamState;
  private quickReconnects = 0;

  constructor(private readonly options: EventStreamOptions) {
    this.position = options.checkpoint?.position;
    this.createdAfter = this.position === undefined ? options.checkpoint?.createdAfter : undefined;
    this.recent = new RecentIds(RECENT_ID_CAPACITY, options.checkpoint?.recentIds);
    this.eventTypes = new Set(options.eventTypes ?? []);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    if (isEnterpriseStream(options.streamType)) {
      this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
      this.filter = { eventTypes: [...this.eventTypes] };
    } else {
      this.filter = {};
    }
  }

  checkpoint(): Checkpoint | undefined {
    if (this.position === undefined && this.createdAfter === undefined) return undefined;
    const checkpoint: Checkpoint = { recentIds: this.recent.toArray() };
    if (this.position !== undefined) checkpoint.position = this.position;
    else checkpoint.createdAfter = this.createdAfter;
    return checkpoint;
  }

  /** Runs until `signal` aborts; never rejects: trouble is reported through `onState` and retried. */
  async run(signal: AbortSignal): Promise<void> {
    this.setState("connecting");
    let pendingFetch = true;
    while (!signal.aborted) {
      try {
        if (this.position === undefined && this.createdAfter === undefined) {
          await this.start(signal);
          // "now" is the newest position: the next long poll or poll finds what came since (admin_logs has no
          // position yet: its start time is tried at once)
          pendingFetch &&= this.options.startFrom !== "now" || this.position === undefined;
        }
        if (pendingFetch) await this.fetchPending(signal);
        pendingFetch = await this.waitForNews(signal);
      } catch (err) {
        if (signal.aborted) break;
        const error = asBoxError(err);
        const delay = this.backoff.nextDelayMs(error);
        pendingFetch = true;
        this.setState(error.needsHelp ? "failed" : "reconnecting", error, delay);
        await sleep(delay, signal);
      }
    }
  }

  /** How the stream learns that Box has more; true when a catch-up fetch is due next. */
  private async waitForNews(signal: AbortSignal): Promise<boolean> {
    if (this.pollIntervalMs === undefined) {
      await this.longPoll(signal);
      return false;
    }
    this.setState("polling");
    await sleep(this.pollIntervalMs, signal);
    return true;
  }

  /** One realtime server's life: OPTIONS, then long polls until Box sends the stream to a new one. */
  private async longPoll(signal: AbortSignal): Promise<void> {
    const server = await this.options.api.getRealtimeServer(this.options.streamType as UserStreamType, signal);
    const subscribedAt = Date.now();
    const before = this.position;
    await this.subscribe(server, signal);
    if (signal.aborted) return;
    this.setState("reconnecting");
    // a realtime server that sends every client away at once must not become a request storm either
    const quick = Date.now() - subscribedAt < QUICK_RECONNECT_MS && this.position === before;
    this.quickReconnects = quick ? this.quickReconnects + 1 : 0;
    if (this.quickReconnects > 2) await sleep(Math.min(BRAKE_MAX_MS, 250 * 2 ** this.quickReconnects), signal);
  }

  private async start(signal: AbortSignal): Promise<void> {
    const { startFrom, streamType } = this.options;
    // Box's guides and spec promise `stream_position=now` nowhere for admin_logs; its SDKs start it from the time
    if (startFrom === "now" && streamType === "admin_logs") this.createdAfter = isoSeconds(Date.now());
    else this.position = await this.startingPosition(signal);
    // minutes pass between enterprise polls: a redeploy before the first event must not move "now" on
    if ((this.pollIntervalMs !== undefined || this.options.saveStartingPosition) && this.position !== "0")
      await this.options.onEvents([], this.position ?? "");
  }

  private async startingPosition(signal: AbortSignal): Promise<string> {
    const { startFrom, streamType } = this.options;
    if (startFrom === "beginning") return "0";
    if (startFrom === "now") {
      const position = (await this.options.api.getEvents("now", streamType, 1, signal)).nextPosition;
      if (position === "0") throw new BoxError("protocol", "events: no position for now");
      return position;
    }
    const position = startFrom.position.trim();
    if (!isStreamPosition(position)) throw new BoxError("config", reason("invalidStartPosition"));
    return position;
  }

  /** Long polls one realtime URL until Box asks for a new one or `max_retries` uses are spent. */
  private async subscribe(server: RealtimeServer, signal: AbortSignal): Promise<void> {
    const expiresAt = Date.now() + server.ttlMs;
    let emptyWakeups = 0;
    for (let uses = 0; uses < server.maxRetries && Date.now() < expiresAt && !signal.aborted; uses++) {
      this.setState("polling");
      const message = await this.options.api.longPoll(server, this.position as string, signal);
      this.backoff.reset();
      if (message === "new_change") {
        const before = this.position;
        await this.fetchPending(signal);
        // a realtime server that keeps announcing changes the API does not show must not become a request storm
        emptyWakeups = this.position === before ? emptyWakeups + 1 : 0;
        if (emptyWakeups > 1) await sleep(Math.min(BRAKE_MAX_MS, 500 * 2 ** emptyWakeups), signal);
      } else if (message === "timeout") {
        this.setState("reconnecting");
      } else {
        // reconnect, max_retries, out_of_date or a message Box added later: catch up, then a new URL
        if (message === "out_of_date") await this.fetchPending(signal);
        return;
      }
    }
  }

  /**
   * Fetches pages while they come back full (user streams) or until one brings nothing unseen (enterprise
   * streams). A short page may not be the end, but for user streams the next long poll carries the
   * position, so the realtime server answers it at once when more is waiting: no fetch is spent on
   * finding out.
   */
  private async fetchPending(signal: AbortSignal): Promise<void> {
    for (;;) {
      const from = this.position;
      const start: PagePoint = from === undefined ? { createdAfter: this.createdAfter } : { position: from };
      const filter = from === undefined ? { ...this.filter, createdAfter: this.createdAfter } : this.filter;
      const page = await this.options.api.getEvents(from, this.options.streamType, MAX_PAGE_SIZE, signal, filter);
      if (signal.aborted) return;
      const unseen = page.entries.filter((event) => this.isNew(event));
      const fresh = unseen.filter((event) => this.isWanted(event));
      // admin_logs answers an empty page with position 0: continuing from there would replay a year
      const moved = page.nextPosition !== from && page.nextPosition !== "0";
      if (moved) [this.position, this.createdAfter] = [page.nextPosition, undefined];
      if (fresh.length > 0 || moved) await this.options.onEvents(fresh, page.nextPosition, start);
      this.backoff.reset();
      // a short user page is followed by a long poll with the position, which says whether more is waiting;
      // enterprise streams have no long poll: a page with nothing unseen (empty, or only at-least-once repeats)
      // ends their catch-up, a short one does not
      const caughtUp = this.pollIntervalMs === undefined ? page.entries.length < MAX_PAGE_SIZE : unseen.length === 0;
      if (caughtUp || !moved) return;
    }
  }

  private isNew(event: BoxEvent): boolean {
    return typeof event.event_id !== "string" || this.recent.add(event.event_id);
  }

  private isWanted(event: BoxEvent): boolean {
    return this.eventTypes.size === 0 || this.eventTypes.has(event.event_type as string);
  }

  private setState(state: StreamState, error?: BoxError, retryInMs?: number): void {
    if (state === this.state && !error) return;
    this.state = state;
    this.options.onState(state, error, retryInMs);
  }
}

/** Box's own timestamp form (seconds, explicit offset), so `created_after` means the same to every Box service. */
function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

function asBoxError(err: unknown): BoxError {
  if (err instanceof BoxError) return err;
  return new BoxError("protocol", err instanceof Error ? err.message : String(err));
}
