import type { BoxEvent, StreamType } from "./types";

const TREE_EVENTS = new Set([
  "ITEM_CREATE",
  "ITEM_UPLOAD",
  "ITEM_MOVE",
  "ITEM_COPY",
  "ITEM_TRASH",
  "ITEM_UNDELETE_VIA_TRASH",
  "ITEM_RENAME",
  "ITEM_MODIFY",
  "ITEM_SYNC",
  "ITEM_UNSYNC",
  "ITEM_MAKE_CURRENT_VERSION",
  "LOCK_CREATE",
  "LOCK_DESTROY",
  "TAG_ITEM_CREATE",
]);

interface Stored {
  event: BoxEvent;
  /** serialised once: pages are built by joining these */
  json: string;
  changes: boolean;
  sync: boolean;
}

export interface Page {
  entriesJson: string[];
  /** absolute index of the next unread event */
  nextIndex: bigint;
}

export function matches(s: Stored, type: StreamType): boolean {
  return type === "all" || (type === "changes" ? s.changes : s.sync);
}

/**
 * Events addressed by absolute index (position = base + index). Old events beyond the retention cap are
 * dropped in batches so indexing stays O(1) and memory bounded.
 */
export class EventLog {
  private items: Stored[] = [];
  private offset = 0;
  private total = 0;
  private readonly lastMatch: Record<StreamType, number> = { all: -1, changes: -1, sync: -1 };

  constructor(
    readonly base: bigint,
    private readonly retention?: number,
  ) {}

  get count(): number {
    return this.total;
  }

  get head(): bigint {
    return this.base + BigInt(this.total);
  }

  /** absolute index of the oldest event still retained */
  get retainedStart(): number {
    return this.retention === undefined ? this.offset : Math.max(this.offset, this.total - this.retention);
  }

  append(events: BoxEvent[]): void {
    for (const event of events) {
      const s: Stored = {
        event,
        json: JSON.stringify(event),
        changes: TREE_EVENTS.has(event.event_type),
        sync: (event.source as { sync_state?: unknown } | null)?.sync_state === "synced",
      };
      this.items.push(s);
      this.lastMatch.all = this.total;
      if (s.changes) this.lastMatch.changes = this.total;
      if (s.sync) this.lastMatch.sync = this.total;
      this.total++;
    }
    this.compact();
  }

  all(): BoxEvent[] {
    return this.items.slice(this.retainedStart - this.offset).map((s) => s.event);
  }

  /** Whether an event of this stream type exists at absolute index >= fromIndex. */
  hasFrom(fromIndex: bigint, type: StreamType): boolean {
    return BigInt(this.lastMatch[type]) >= fromIndex;
  }

  /** Absolute index for a position; positions below base clamp to the oldest retained event. */
  indexOf(position: bigint): bigint {
    const idx = position - this.base;
    const start = BigInt(this.retainedStart);
    return idx < start ? start : idx;
  }

  page(fromIndex: bigint, type: StreamType, limit: number, duplicates: number): Page {
    if (fromIndex >= BigInt(this.total)) return { entriesJson: [], nextIndex: fromIndex };
    const from = Number(fromIndex);
    const out: string[] = [];
    let i = from;
    if (type === "all") {
      const end = Math.min(this.total, from + limit);
      for (; i < end; i++) out.push(this.items[i - this.offset].json);
    } else {
      for (; i < this.total && out.length < limit; i++) {
        const s = this.items[i - this.offset];
        if (matches(s, type)) out.push(s.json);
      }
    }
    if (out.length > 0 && duplicates > 0) out.unshift(...this.before(from, type, duplicates));
    return { entriesJson: out, nextIndex: BigInt(i) };
  }

  /** Up to n matching events just before `from` (already delivered on an earlier page). */
  private before(from: number, type: StreamType, n: number): string[] {
    const dup: string[] = [];
    const stop = Math.max(this.retainedStart, from - 1000);
    for (let i = from - 1; i >= stop && dup.length < n; i--) {
      const s = this.items[i - this.offset];
      if (matches(s, type)) dup.unshift(s.json);
    }
    return dup;
  }

  private compact(): void {
    const drop = this.retainedStart - this.offset;
    if (drop >= 1024 && drop * 2 >= this.items.length) {
      this.items = this.items.slice(drop);
      this.offset += drop;
    }
  }
}
