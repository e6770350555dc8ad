import { Checkpoint } from "./position-store";

/** Where a page of events ends: a Box position, or (admin_logs started "now", no position yet) a start time. */
export interface PagePoint {
  position?: string;
  createdAfter?: string;
}

/** One event sent and not acknowledged yet. */
export interface InFlight<T> {
  readonly seq: number;
  /** Box's `event_id`; events without one cannot be skipped after a restart and are only counted. */
  readonly id?: string;
  readonly data: T;
  /** How often it was sent, sends of earlier runs included. */
  sends: number;
  sentAt: number;
}

interface Page {
  point: PagePoint;
  pending: number;
}

/**
 * Acknowledged delivery's bookkeeping: pages in Box's order, each with the events sent from it and not yet
 * acknowledged. Box positions belong to pages, so the checkpoint is the end of the newest page whose events,
 * and every earlier page's, are done; the acknowledged ids of later pages travel with it so they are skipped
 * after a restart, and the unacknowledged ones with their send counts so they come again, counted.
 */
export class AckLedger<T> {
  private nextSeq = 1;
  /** By seq: Map order is send order, so the oldest comes first. */
  private readonly inFlight = new Map<number, InFlight<T> & { page: Page }>();
  private readonly pages: Page[] = [];
  private done?: PagePoint;
  private readonly earlierSends: Map<string, number>;
  private waiters: (() => void)[] = [];

  constructor(
    readonly maxInFlight: number,
    base?: Checkpoint,
    private readonly now: () => number = Date.now,
  ) {
    if (base && (base.position !== undefined || base.createdAfter !== undefined)) this.done = pointOf(base);
    this.earlierSends = new Map(Object.entries(base?.deliveries ?? {}).filter(([, n]) => Number.isSafeInteger(n)));
  }

  get unacknowledged(): number {
    return this.inFlight.size;
  }

  /** How many more events may be sent before the limit. */
  room(): number {
    return Math.max(0, this.maxInFlight - this.inFlight.size);
  }

  /** Resolves with the room once there is some; rejects when `signal` aborts. */
  waitForRoom(signal: AbortSignal): Promise<number> {
    const room = this.room();
    if (room > 0) return Promise.resolve(room);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason ?? new Error("aborted"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(this.room());
      });
    });
  }

  /** Where the stream stands before its first page, so a page never acknowledged is fetched again after a restart. */
  startAt(point: PagePoint): void {
    if (!this.done && this.pages.length === 0) this.done = { ...point };
  }

  /** Records a page and the events sent from it (in order); returns them with their seq and send counts. */
  page(point: PagePoint, sent: readonly { id?: string; data: T }[]): InFlight<T>[] {
    const page: Page = { point: { ...point }, pending: sent.length };
    this.pages.push(page);
    const at = this.now();
    const entries = sent.map(({ id, data }) => {
      const earlier = id === undefined ? 0 : (this.earlierSends.get(id) ?? 0);
      if (id !== undefined) this.earlierSends.delete(id);
      const entry = { seq: this.nextSeq++, id, data, sends: earlier + 1, sentAt: at, page };
      this.inFlight.set(entry.seq, entry);
      return entry;
    });
    this.settle();
    return entries;
  }

  /** Marks an event done; false when it was not in flight (acknowledged before, or unknown). */
  ack(seq: number): boolean {
    const entry = this.inFlight.get(seq);
    if (!entry) return false;
    this.inFlight.delete(seq);
    entry.page.pending--;
    this.settle();
    if (this.waiters.length === 0) return true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return true;
  }

  /** Events last sent at least `ageMs` ago and not acknowledged, oldest first, counted as sent again now. */
  resend(ageMs: number): InFlight<T>[] {
    const now = this.now();
    // Map order is Box's order: the oldest event comes first, however often it was sent
    const due = [...this.inFlight.values()].filter((entry) => now - entry.sentAt >= ageMs);
    for (const entry of due) {
      entry.sends++;
      entry.sentAt = now;
    }
    return due;
  }

  /**
   * What to save: the end of the newest fully acknowledged page (and every earlier one), `recentIds` (the stream's)
   * without the ids still in flight, and those ids' send counts. Undefined while nothing is known to be done.
   */
  checkpoint(recentIds: readonly string[]): Checkpoint | undefined {
    if (!this.done) return undefined;
    const counts: [string, number][] = [];
    for (const { id, sends } of this.inFlight.values()) if (id !== undefined) counts.push([id, sends]);
    const open = new Set(counts.map(([id]) => id));
    // fromEntries defines own properties: an event id is network data, "__proto__" included
    const deliveries: Record<string, number> = Object.fromEntries(counts);
    const checkpoint: Checkpoint = {
      ...this.done,
      recentIds: open.size > 0 ? recentIds.filter((id) => !open.has(id)) : recentIds.slice(),
    };
    if (open.size > 0) checkpoint.deliveries = deliveries;
    return checkpoint;
  }

  /** Moves `done` past the leading pages with nothing pending. */
  private settle(): void {
    let settled = 0;
    while (settled < this.pages.length && this.pages[settled].pending === 0) settled++;
    if (settled === 0) return;
    this.done = this.pages[settled - 1].point;
    this.pages.splice(0, settled);
  }
}

function pointOf(checkpoint: Checkpoint): PagePoint {
  return checkpoint.position !== undefined
    ? { position: checkpoint.position }
    : { createdAfter: checkpoint.createdAfter };
}
