import { BoxClient } from "../../nodes/box/http/box-client";
import { BoxEvent, EventsApi } from "../../nodes/box/events/events-api";
import { NO_PROXY } from "../../nodes/box/http/proxy-settings";
import { DeveloperTokenSource, TokenSource } from "../../nodes/box/auth/token-source";
import { BoxError } from "../../nodes/box/errors";
import { Checkpoint, EventStream, EventStreamOptions, StreamState } from "../../nodes/box/events/event-stream";
import { BackoffPolicy } from "../../nodes/box/backoff";
import { RateGate } from "../../nodes/box/http/rate-gate";
import { BoxEmulator } from "../../emulator";
import { waitFor } from "./wait";

export const FAST_BACKOFF: BackoffPolicy = { baseMs: 20, maxMs: 200, helpBaseMs: 1000, helpMaxMs: 4000 };

export interface HarnessOptions extends Partial<Omit<EventStreamOptions, "api" | "onEvents" | "onState">> {
  tokens?: TokenSource;
  requestTimeoutMs?: number;
  /** Shared with other harnesses, as the nodes of one config node share it. */
  rateGate?: RateGate;
  /** Wraps the API, e.g. to act between a fetch and the next subscribe. */
  wrapApi?: (api: EventsApi) => EventStreamOptions["api"];
}

/** Runs an EventStream against the emulator and records what it delivers and which states it went through. */
export class StreamHarness {
  readonly delivered: BoxEvent[] = [];
  readonly pages: { count: number; position: string }[] = [];
  readonly states: { state: StreamState; error?: BoxError; retryInMs?: number; at: number }[] = [];
  readonly api: EventsApi;
  readonly stream: EventStream;
  private readonly controller = new AbortController();
  private running?: Promise<void>;

  constructor(
    readonly emulator: BoxEmulator,
    options: HarnessOptions = {},
  ) {
    this.api = new EventsApi(
      new BoxClient({
        apiBaseUrl: emulator.apiUrl,
        tokens: options.tokens ?? new DeveloperTokenSource(emulator.issueToken()),
        proxy: NO_PROXY,
        requestTimeoutMs: options.requestTimeoutMs,
        rateGate: options.rateGate,
      }),
    );
    this.stream = new EventStream({
      streamType: "all",
      startFrom: "now",
      backoff: FAST_BACKOFF,
      ...options,
      api: options.wrapApi ? options.wrapApi(this.api) : this.api,
      onEvents: (events, position) => {
        this.delivered.push(...events);
        this.pages.push({ count: events.length, position });
      },
      onState: (state, error, retryInMs) => this.states.push({ state, error, retryInMs, at: Date.now() }),
    });
  }

  start(): this {
    this.running = this.stream.run(this.controller.signal);
    return this;
  }

  get state(): StreamState | undefined {
    return this.states[this.states.length - 1]?.state;
  }

  async untilPolling(): Promise<void> {
    await waitFor(() => this.state === "polling" && this.emulator.heldPolls() > 0, "the stream to hold a long poll");
  }

  async untilDelivered(count: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.delivered.length >= count, `${count} events (have ${this.delivered.length})`, timeoutMs);
  }

  checkpoint(): Checkpoint | undefined {
    return this.stream.checkpoint();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
    await this.api.client.close();
  }
}

/** Asserts every created event arrived exactly once and in creation order. */
export function assertExactlyOnceInOrder(created: readonly BoxEvent[], delivered: readonly BoxEvent[]): void {
  const ids = delivered.map((e) => e.event_id);
  const unique = new Set(ids);
  if (unique.size !== ids.length) throw new Error(`duplicates delivered: ${ids.length - unique.size}`);
  const expected = created.map((e) => e.event_id);
  const missing = expected.filter((id) => !unique.has(id));
  if (missing.length) throw new Error(`lost ${missing.length} of ${expected.length} events`);
  if (ids.length !== expected.length) throw new Error(`delivered ${ids.length} events, created ${expected.length}`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== expected[i]) throw new Error(`out of order at ${i}: ${ids[i]} instead of ${expected[i]}`);
  }
}
