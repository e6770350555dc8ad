import { Backoff, BackoffPolicy, DEFAULT_BACKOFF } from "./backoff";
import { reason } from "./reasons";
import { BoxApi, BoxEvent, MAX_PAGE_SIZE, RealtimeServer, StreamType } from "./box-api";
import { BoxError } from "./errors";
import { RecentIds } from "./recent-ids";
import { sleep } from "./sleep";

export type StreamState = "connecting" | "polling" | "reconnecting" | "failed";
export type StartFrom = "now" | "beginning" | { position: string };

/** What must survive a redeploy or restart so that nothing is lost or emitted twice. */
export interface Checkpoint {
  position: string;
  recentIds: string[];
}

export interface EventStreamOptions {
  api: Pick<BoxApi, "getEvents" | "getRealtimeServer" | "longPoll">;
  streamType: StreamType;
  /** Where to begin when there is no checkpoint. */
  startFrom: StartFrom;
  checkpoint?: Checkpoint;
  /** Only these `event_type`s reach `onEvents`; empty passes all. */
  eventTypes?: readonly string[];
  /** Called once per page, in Box's order, with the events not seen before. Save the checkpoint after it returns. */
  onEvents(events: BoxEvent[], position: string): void | Promise<void>;
  onState(state: StreamState, error?: BoxError, retryInMs?: number): void;
  backoff?: BackoffPolicy;
  pageSize?: number;
  recentIdCapacity?: number;
}

const RECENT_ID_CAPACITY = 2000;
/** Longest pause when the realtime server keeps waking us for nothing or sending us away at once. */
const BRAKE_MAX_MS = 5000;
const QUICK_RECONNECT_MS = 1000;

/**
 * Box's long-poll lifecycle as one loop: starting position, fetch what is pending, OPTIONS for a
 * realtime server, long poll with the position, fetch on new_change, new server on reconnect, back
 * off on trouble. It knows nothing of Node-RED.
 */
export class EventStream {
  private position?: string;
  private readonly recent: RecentIds;
  private readonly eventTypes: ReadonlySet<string>;
  private readonly backoff: Backoff;
  private state?: StreamState;

  constructor(private readonly options: EventStreamOptions) {
    this.position = options.checkpoint?.position;
    this.recent = new RecentIds(options.recentIdCapacity ?? RECENT_ID_CAPACITY, options.checkpoint?.recentIds);
    this.eventTypes = new Set(options.eventTypes ?? []);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  checkpoint(): Checkpoint | undefined {
    return this.position === undefined ? undefined : { position: this.position, recentIds: this.recent.toArray() };
  }

  /** Runs until `signal` aborts; never rejects: trouble is reported through `onState` and retried. */
  async run(signal: AbortSignal): Promise<void> {
    this.setState("connecting");
    let pendingFetch = true;
    let quickReconnects = 0;
    while (!signal.aborted) {
      try {
        if (this.position === undefined) {
          this.position = await this.startingPosition(signal);
          // "now" is the newest position: the long poll carrying it answers at once if that changed meanwhile
          pendingFetch &&= this.options.startFrom !== "now";
        }
        if (pendingFetch) await this.fetchPending(signal);
        pendingFetch = false;
        const server = await this.options.api.getRealtimeServer(this.options.streamType, signal);
        const subscribedAt = Date.now();
        const before = this.position;
        await this.subscribe(server, signal);
        if (signal.aborted) break;
        this.setState("reconnecting");
        // a realtime server that sends every client away at once must not become a request storm either
        const quick = Date.now() - subscribedAt < QUICK_RECONNECT_MS && this.position === before;
        quickReconnects = quick ? quickReconnects + 1 : 0;
        if (quickReconnects > 2) await sleep(Math.min(BRAKE_MAX_MS, 250 * 2 ** quickReconnects), signal);
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

  private async startingPosition(signal: AbortSignal): Promise<string> {
    const { startFrom, streamType } = this.options;
    if (startFrom === "beginning") return "0";
    if (startFrom === "now") return (await this.options.api.getEvents("now", streamType, 1, signal)).nextPosition;
    const position = startFrom.position.trim();
    if (!/^\d+$/.test(position)) throw new BoxError("config", reason("invalidStartPosition"));
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
   * Fetches pages while they come back full. A short page may not be the end either, but the next long
   * poll carries the position, so the realtime server answers it at once when more is waiting: no fetch
   * is spent on finding out.
   */
  private async fetchPending(signal: AbortSignal): Promise<void> {
    const pageSize = this.options.pageSize ?? MAX_PAGE_SIZE;
    for (;;) {
      const from = this.position as string;
      const page = await this.options.api.getEvents(from, this.options.streamType, pageSize, signal);
      if (signal.aborted) return;
      const fresh = page.entries.filter((event) => this.isNew(event) && this.isWanted(event));
      this.position = page.nextPosition;
      if (fresh.length > 0 || page.nextPosition !== from) await this.options.onEvents(fresh, page.nextPosition);
      this.backoff.reset();
      if (page.entries.length < pageSize || page.nextPosition === from) return;
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

function asBoxError(err: unknown): BoxError {
  if (err instanceof BoxError) return err;
  return new BoxError("protocol", err instanceof Error ? err.message : String(err));
}
