import { performance } from "perf_hooks";
import type { BoxEmulator } from "../emulator";

/** Called by a contender, synchronously, the moment an event reaches its consumer. */
export type OnEvent = (eventId: string) => void;

/** One way of turning Box's event stream into delivered events: the floor, the node, the SDK. */
export interface Contender {
  readonly name: string;
  /** Starts consuming from "now"; resolves once the first request is under way. */
  start(emulator: BoxEmulator, onEvent: OnEvent): Promise<void>;
  stop(): Promise<void>;
  /** Anything the contender saw that the table should mention (errors it emitted, settings used). */
  notes(): string[];
}

/** Counts every arrival by event id: what the latency and drain phases wait on, and the exactly-once check. */
export class ArrivalTracker {
  private readonly created = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  private countWaiter?: { target: number; resolve: () => void };
  distinct = 0;
  duplicates = 0;
  unexpected = 0;

  get createdCount(): number {
    return this.created.size;
  }

  expect(ids: readonly string[]): void {
    const now = performance.now();
    for (const id of ids) this.created.set(id, now);
  }

  /** Resolves with the arrival time of `id`, or undefined after `timeoutMs`. */
  arrivalOf(id: string, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** Resolves true once `target` distinct expected events have arrived, false after `timeoutMs`. */
  untilDistinct(target: number, timeoutMs: number): Promise<boolean> {
    if (this.distinct >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.countWaiter = undefined;
        resolve(false);
      }, timeoutMs);
      this.countWaiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });
  }

  readonly onEvent: OnEvent = (id) => {
    const at = performance.now();
    if (!this.created.has(id)) {
      this.unexpected++;
      return;
    }
    const count = (this.seen.get(id) ?? 0) + 1;
    this.seen.set(id, count);
    if (count > 1) {
      this.duplicates++;
      return;
    }
    this.distinct++;
    const waiter = this.waiters.get(id);
    if (waiter) {
      this.waiters.delete(id);
      waiter(at);
    }
    if (this.countWaiter && this.distinct >= this.countWaiter.target) {
      const { resolve } = this.countWaiter;
      this.countWaiter = undefined;
      resolve();
    }
  };

  get lost(): number {
    return this.created.size - this.distinct;
  }
}

export interface LatencyResult {
  /** ascending, ms */
  samples: number[];
  timeouts: number;
  p50: number;
  p90: number;
  /** requests the emulator served per sample (OPTIONS, long polls, event pages) */
  requestsPerEvent: number;
}

export interface DrainResult {
  /** events/s of each timed burst, in run order */
  rates: number[];
  /** the median burst */
  rate: number;
  /**
   * median process CPU time (all threads, so GC helpers count) per event during a burst: client and
   * in-process emulator together, and far less sensitive than `rate` to other load on the machine
   */
  cpuMicrosPerEvent: number;
  incomplete: number;
  /** requests the emulator served per 1,000 events during the timed bursts */
  requestsPer1000: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until the contender holds a long poll on the emulator (it is idle and listening). */
export async function untilPolling(emulator: BoxEmulator, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (emulator.heldPolls() < 1) {
    if (performance.now() > deadline) return false;
    await sleep(1);
  }
  return true;
}

/**
 * One latency sample: the event is created only once the contender is back in a held long poll (plus
 * `pauseMs`), so it measures "event happens while the client listens" → "message delivered", in ms.
 * Undefined when it did not arrive within 5 s.
 */
export async function latencySample(
  emulator: BoxEmulator,
  tracker: ArrivalTracker,
  pauseMs: number,
): Promise<number | undefined> {
  await untilPolling(emulator, 2000);
  await sleep(pauseMs);
  const createdAt = performance.now();
  const event = emulator.createEvent();
  tracker.expect([event.event_id]);
  const arrivedAt = await tracker.arrivalOf(event.event_id, 5000);
  return arrivedAt === undefined ? undefined : arrivedAt - createdAt;
}

/**
 * One burst of `count` events created at once while the contender listens. The clock runs from the moment
 * the burst exists in the emulator (creating it is not the contender's work) to the arrival of its last
 * distinct event. Returns events/s, or undefined when not all arrived within `timeoutMs`.
 */
export async function drainBurst(
  emulator: BoxEmulator,
  tracker: ArrivalTracker,
  count: number,
  timeoutMs: number,
): Promise<{ rate: number; cpuMicrosPerEvent: number } | undefined> {
  await untilPolling(emulator, 5000);
  await sleep(50);
  const target = tracker.distinct + count;
  const ids = emulator.createEvents(count).map((event) => event.event_id);
  tracker.expect(ids);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const complete = await tracker.untilDistinct(target, timeoutMs);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return complete ? { rate: count / seconds, cpuMicrosPerEvent: (used.user + used.system) / count } : undefined;
}

export function latencyResult(samples: number[], timeouts: number, requests: number): LatencyResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = samples.length + timeouts;
  return {
    samples: sorted,
    timeouts,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    requestsPerEvent: n ? requests / n : NaN,
  };
}

export function drainResult(
  rates: number[],
  cpuMicrosPerEvent: number[],
  incomplete: number,
  requestsPer1000: number,
): DrainResult {
  return { rates, rate: median(rates), cpuMicrosPerEvent: median(cpuMicrosPerEvent), incomplete, requestsPer1000 };
}

/** lower median */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
