import type { IncomingMessage, ServerResponse } from "http";
import { randomBytes } from "crypto";
import type { EventLog } from "./event-log";
import type { Settings, StreamType } from "./types";
import { sendJson } from "./http-util";

const MAX_CHANNELS = 10_000;
const STREAM_TYPES: readonly StreamType[] = ["all", "changes", "sync"];

export function parseStreamType(value: string | null): StreamType | undefined {
  if (value === null || value === "") return "all";
  return STREAM_TYPES.includes(value as StreamType) ? (value as StreamType) : undefined;
}

interface Waiter {
  res: ServerResponse;
  type: StreamType;
  fromIndex: bigint;
  timer: NodeJS.Timeout;
}

/** The realtime (long-poll) side: channels handed out by OPTIONS /2.0/events and the polls held on them. */
export class RealtimeHub {
  private readonly channels = new Map<string, { uses: number }>();
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly log: EventLog,
    private readonly settings: () => Settings,
  ) {}

  newChannel(): string {
    const channel = randomBytes(16).toString("hex");
    this.channels.set(channel, { uses: 0 });
    if (this.channels.size > MAX_CHANNELS) {
      const oldest = this.channels.keys().next().value;
      if (oldest !== undefined) this.channels.delete(oldest);
    }
    return channel;
  }

  held(): number {
    return this.waiters.size;
  }

  subscribe(url: URL, res: ServerResponse): void {
    const channel = this.channels.get(url.searchParams.get("channel") ?? "");
    if (!channel) return sendJson(res, 200, { message: "reconnect", version: 1 });
    if (++channel.uses > this.settings().maxRetries) return sendJson(res, 200, { message: "max_retries" });
    const type = parseStreamType(url.searchParams.get("stream_type")) ?? "all";

    const raw = url.searchParams.get("stream_position");
    let fromIndex = BigInt(this.log.count);
    if (raw !== null && /^\d+$/.test(raw)) {
      if (raw === "0") return sendJson(res, 200, { message: "out_of_date" });
      const idx = BigInt(raw) - this.log.base;
      if (this.log.retainedStart > 0 && idx < BigInt(this.log.retainedStart)) {
        return sendJson(res, 200, { message: "out_of_date" });
      }
      fromIndex = idx < 0n ? 0n : idx;
      if (this.log.hasFrom(fromIndex, type)) return sendJson(res, 200, { message: "new_change" });
    }
    // Absent, "now" or unparsable positions wait for the next event, like Box without stream_position.
    this.hold(res, type, fromIndex);
  }

  /** Call after events were appended: answers every held poll that now has something to fetch. */
  notify(): void {
    for (const w of this.waiters) {
      if (this.log.hasFrom(w.fromIndex, w.type)) this.answer(w, { message: "new_change" });
    }
  }

  close(): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.res.socket?.destroy();
    }
    this.waiters.clear();
    this.channels.clear();
  }

  private hold(res: ServerResponse, type: StreamType, fromIndex: bigint): void {
    const w: Waiter = {
      res,
      type,
      fromIndex,
      timer: setTimeout(() => this.answer(w, { version: 1, message: "reconnect" }), this.settings().realtimeTimeoutMs),
    };
    this.waiters.add(w);
    // 'close' on the response fires when the client disconnects before we answer (req 'close' fires early).
    res.on("close", () => this.release(w));
  }

  private answer(w: Waiter, body: object): void {
    this.release(w);
    sendJson(w.res, 200, body);
  }

  private release(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }
}

export function handleRealtimeRequest(hub: RealtimeHub, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (url.pathname !== "/subscribe") return sendJson(res, 404, { message: "not_found" });
  if (req.method !== "GET") return sendJson(res, 405, { message: "method_not_allowed" });
  hub.subscribe(url, res);
}
