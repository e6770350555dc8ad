import { randomUUID } from "crypto";
import { boxTimestamp, randomHex40 } from "./event-defaults";
import type { BoxEvent } from "./types";

export type EnterpriseStreamType = "admin_logs" | "admin_logs_streaming";

export function isEnterpriseStreamType(value: string | null): value is EnterpriseStreamType {
  return value === "admin_logs" || value === "admin_logs_streaming";
}

/** What a GET /2.0/events for an enterprise stream asks for, already parsed. */
export interface EnterpriseQuery {
  /** null: no stream_position (admin_logs then starts at created_after, or at the oldest event) */
  position: "now" | bigint | null;
  limit: number;
  eventTypes?: ReadonlySet<string>;
  /** admin_logs only */
  createdAfterMs?: number;
  createdBeforeMs?: number;
}

export interface EnterprisePage {
  entries: string[];
  /** `0` is admin_logs' answer to an empty page */
  next: bigint | 0;
}

interface Stored {
  event: BoxEvent;
  json: string;
  /** whole seconds, as Box's `created_at` has them */
  createdAtSec: number;
}

/** Where the admin_logs and admin_logs_streaming positions start: above 2^53 too, and apart from the user stream's. */
const ADMIN_LOGS_BASE = 1209600000000000000n;
const ADMIN_LOGS_STREAMING_BASE = 1314000000000000000n;
/** Repeats of the previous page's tail on the next admin_logs_streaming page: its delivery is "at least once". */
const STREAMING_REPEATS = 2;
const SERVED_PAGES_KEPT = 10_000;

/**
 * The enterprise's admin events, served as Box's two enterprise streams: `admin_logs` (chronological,
 * `created_after`/`created_before`, position 0 on an empty page) and `admin_logs_streaming` (repeats,
 * not in order, no time filters). Each stream counts its own positions, from its own base.
 */
export class EnterpriseLog {
  private readonly items: Stored[] = [];
  /** admin_logs_streaming: where each served page began, by the index its next position points at */
  private readonly servedFrom = new Map<number, number>();

  constructor(
    private readonly historyBase = ADMIN_LOGS_BASE,
    private readonly streamingBase = ADMIN_LOGS_STREAMING_BASE,
  ) {}

  /** `count` new events, each `partial` over the defaults of its type. */
  create(count: number, partial?: Partial<BoxEvent>): BoxEvent[] {
    const batch = Array.from({ length: count }, () => buildEnterpriseEvent(partial));
    this.append(batch);
    return batch;
  }

  append(events: BoxEvent[]): void {
    for (const event of events) {
      const createdAtSec = Math.floor(Date.parse(String(event.created_at)) / 1000);
      this.items.push({ event, json: JSON.stringify(event), createdAtSec });
    }
  }

  all(): BoxEvent[] {
    return this.items.map((s) => s.event);
  }

  page(type: EnterpriseStreamType, q: EnterpriseQuery): EnterprisePage {
    return type === "admin_logs" ? this.history(q) : this.streaming(q);
  }

  private history(q: EnterpriseQuery): EnterprisePage {
    const from = q.position === null ? 0 : this.index(q.position as bigint, this.historyBase);
    const wanted = (s: Stored): boolean =>
      this.typeMatches(s, q) &&
      (q.createdAfterMs === undefined || s.createdAtSec * 1000 >= Math.floor(q.createdAfterMs / 1000) * 1000) &&
      (q.createdBeforeMs === undefined || s.createdAtSec * 1000 <= q.createdBeforeMs);
    const { entries, end } = this.scan(from, q.limit, wanted);
    return { entries: entries.map((s) => s.json), next: entries.length === 0 ? 0 : this.historyBase + BigInt(end) };
  }

  private streaming(q: EnterpriseQuery): EnterprisePage {
    if (q.position === "now") return { entries: [], next: this.streamingBase + BigInt(this.items.length) };
    const from = q.position === null ? 0 : this.index(q.position, this.streamingBase);
    const { entries, end } = this.scan(from, q.limit, (s) => this.typeMatches(s, q));
    if (entries.length === 0) return { entries: [], next: this.streamingBase + BigInt(from) };
    this.remember(end, from);
    const previous = this.servedFrom.get(from);
    const repeats =
      previous === undefined ? [] : this.items.slice(previous, from).filter((s) => this.typeMatches(s, q));
    const page = [...repeats.slice(-STREAMING_REPEATS), ...entries].map((s) => s.json);
    return { entries: shuffle(page), next: this.streamingBase + BigInt(end) };
  }

  private remember(end: number, from: number): void {
    this.servedFrom.set(end, from);
    if (this.servedFrom.size > SERVED_PAGES_KEPT) this.servedFrom.delete(this.servedFrom.keys().next().value as number);
  }

  private scan(from: number, limit: number, wanted: (s: Stored) => boolean): { entries: Stored[]; end: number } {
    const entries: Stored[] = [];
    let i = from;
    for (; i < this.items.length && entries.length < limit; i++) if (wanted(this.items[i])) entries.push(this.items[i]);
    return { entries, end: i };
  }

  private typeMatches(s: Stored, q: EnterpriseQuery): boolean {
    return !q.eventTypes || q.eventTypes.has(s.event.event_type);
  }

  private index(position: bigint, base: bigint): number {
    const idx = position - base;
    if (idx < 0n) return 0;
    return idx > BigInt(this.items.length) ? this.items.length : Number(idx);
  }
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

const ADMIN_USER = { type: "user", id: "200002", name: "Demo User", login: "demo@example.com" };
const OTHER_USER = { type: "user", id: "200107", name: "Sam Example", login: "sam@example.com" };

/** Enterprise events in the shape Box's admin logs give them; `partial` overrides any field. */
export function buildEnterpriseEvent(partial: Partial<BoxEvent> = {}): BoxEvent {
  const eventType = typeof partial.event_type === "string" ? partial.event_type : "LOGIN";
  const now = boxTimestamp();
  const event: Record<string, unknown> = {
    type: "event",
    event_id: randomUUID(),
    event_type: eventType,
    created_at: now,
    created_by: /LOGIN$/.test(eventType) ? OTHER_USER : ADMIN_USER,
    source: sourceFor(eventType),
    action_by: null,
    ip_address: "198.51.100.23",
    session_id: null,
    additional_details: null,
  };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) event[k] = JSON.parse(JSON.stringify(v));
  return event as BoxEvent;
}

function sourceFor(eventType: string): object | null {
  if (/LOGIN$|_USER$|ADMIN_ROLE/.test(eventType)) return OTHER_USER;
  if (eventType === "SHIELD_ALERT") return null;
  const n = parseInt(randomHex40().slice(0, 6), 16);
  return {
    item_type: "file",
    item_id: String(1400000000000 + n),
    item_name: `report-${n}.pdf`,
    parent: { type: "folder", name: "Reports", id: "300000000001" },
    owned_by: ADMIN_USER,
  };
}
