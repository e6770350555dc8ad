import { Checkpoint, PagePoint } from "./position-store";

/** One event of a page from the time the page came until it is acknowledged: held (not sent yet) or sent. */
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

interface Entry<T> extends InFlight<T> {
  page: Page;
  /** Sent in this run: it counts against the limit, may be acknowledged and sent again. */
  sent: boolean;
}

/**
 * Acknowledged delivery's bookkeeping: pages in Box's order, each with its events not acknowledged yet, the ones
 * sent and the ones held back while `maxInFlight` sent events are open. Box positions belong to pages, so the
 * checkpoint is the end of the newest page whose events, and every earlier page's, are done; the acknowledged ids
 * of later pages travel with it so they are skipped after a restart, and the unacknowledged ones with their send
 * counts so they come again, counted.
 */
export class AckLedger<T> {
  private nextSeq = 1;
  /** By seq, held and sent: Map order is Box's order, so the oldest comes first. */
  private readonly open = new Map<number, Entry<T>>();
  /** The events not sent yet, in Box's order. */
  private held: Entry<T>[] = [];
  private sentOpen = 0;
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

  /** Sent and not acknowledged: what the limit counts. */
  get unacknowledged(): number {
    return this.sentOpen;
  }

  /** Events of the pages so far that wait to be sent. */
  get holding(): number {
    return this.held.length;
  }

  /** How many more events may be sent before the limit. */
  room(): number {
    return Math.max(0, this.maxInFlight - this.sentOpen);
  }

  /** Resolves once there is room; rejects when `signal` aborts. */
  waitForRoom(signal: AbortSignal): Promise<void> {
    if (this.room() > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason ?? new Error("aborted"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  /** Where the stream stood before its first page, so a page never acknowledged is fetched again after a restart. */
  startAt(point: PagePoint): void {
    if (!this.done && this.pages.length === 0) this.done = { ...point };
  }

  /** Records a page and its events (in order), all held until `next` sends them. */
  page(point: PagePoint, events: readonly { id?: string; data: T }[]): void {
    const page: Page = { point: { ...point }, pending: events.length };
    this.pages.push(page);
    for (const { id, data } of events) {
      const earlier = id === undefined ? 0 : (this.earlierSends.get(id) ?? 0);
      if (id !== undefined) this.earlierSends.delete(id);
      const entry: Entry<T> = { seq: this.nextSeq++, id, data, sends: earlier, sentAt: 0, page, sent: false };
      this.open.set(entry.seq, entry);
      this.held.push(entry);
    }
    this.settle();
  }

  /** The oldest held event, counted as sent now; undefined when none is held or the limit is reached. */
  next(): InFlight<T> | undefined {
    if (this.held.length === 0 || this.room() === 0) return undefined;
    const entry = this.held.shift() as Entry<T>;
    entry.sent = true;
    entry.sends++;
    entry.sentAt = this.now();
    this.sentOpen++;
    return entry;
  }

  /** Marks a sent event done; false when it was not in flight (acknowledged before, or unknown). */
  ack(seq: number): boolean {
    const entry = this.open.get(seq);
    if (!entry?.sent) return false;
    this.open.delete(seq);
    this.sentOpen--;
    entry.page.pending--;
    this.settle();
    if (this.waiters.length === 0) return true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return true;
  }

  /** Sent events last sent at least `ageMs` ago and not acknowledged, oldest first, counted as sent again now. */
  resend(ageMs: number): InFlight<T>[] {
    const now = this.now();
    const due = [...this.open.values()].filter((entry) => entry.sent && now - entry.sentAt >= ageMs);
    for (const entry of due) {
      entry.sends++;
      entry.sentAt = now;
    }
    return due;
  }

  /**
   * What to save: the end of the newest fully acknowledged page (and every earlier one), `recentIds` (the stream's)
   * without the ids not acknowledged (sent or held), and the send counts of those sent in this run or an earlier
   * one. Undefined while nothing is known to be done.
   */
  checkpoint(recentIds: readonly string[]): Checkpoint | undefined {
    if (!this.done) return undefined;
    const open = new Set<string>();
    const counts: [string, number][] = [];
    for (const { id, sends } of this.open.values()) {
      if (id === undefined) continue;
      open.add(id);
      if (sends > 0) counts.push([id, sends]);
    }
    const checkpoint: Checkpoint = {
      ...this.done,
      recentIds: open.size > 0 ? recentIds.filter((id) => !open.has(id)) : recentIds.slice(),
    };
    // fromEntries defines own properties: an event id is network data, "__proto__" included
    if (counts.length > 0) checkpoint.deliveries = Object.fromEntries(counts);
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
