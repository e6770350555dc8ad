import { BoxEmulator, startEmulator } from "../emulator";
import { withCpuProfile } from "./cpu-profile";
import {
  ArrivalTracker,
  Contender,
  DrainResult,
  drainBurst,
  drainResult,
  LatencyResult,
  latencyResult,
  latencySample,
  sleep,
  untilPolling,
} from "./measure";

export interface BenchSettings {
  warmup: number;
  samples: number;
  pauseMs: number;
  burst: number;
  drainRuns: number;
  /** profile each contender's drain phase into `<dir>/<contender>-drain.cpuprofile` (bursts then run contender by contender) */
  profileDir?: string;
  /** how the emulator writes next_stream_position: "string" (default, fair to the SDK) or "number" (bare, as Box sometimes does) */
  positionFormat: "string" | "number";
}

export interface ContenderResult {
  name: string;
  latency?: LatencyResult;
  drain?: DrainResult;
  created: number;
  distinct: number;
  duplicates: number;
  unexpected: number;
  lost: number;
  /** set when the contender could not be measured at all */
  failure?: string;
  notes: string[];
}

/** A contender with its own fresh emulator and its own arrival count. */
class Entrant {
  readonly tracker = new ArrivalTracker();
  readonly latencies: number[] = [];
  readonly rates: number[] = [];
  readonly cpuPerEvent: number[] = [];
  latencyTimeouts = 0;
  latencyRequests = 0;
  /** requests the emulator served during the timed bursts, and the events in them */
  drainRequests = 0;
  drainEvents = 0;
  incompleteBursts = 0;
  failure?: string;
  /** set when the contender kept losing events, so the rest of the bench does not wait on it */
  abandoned?: string;
  private missedInARow = 0;
  private stopped?: Promise<string | undefined>;

  constructor(
    readonly contender: Contender,
    readonly emulator: BoxEmulator,
  ) {}

  /** Stopped at once: a client that lost its place may spin (re-reading pages) and tax the others' measurements. */
  async abandon(reason: string): Promise<void> {
    this.abandoned = reason;
    await this.stop();
  }

  stop(): Promise<string | undefined> {
    this.stopped ??= this.contender.stop().then(
      () => undefined,
      (err: Error) => `${this.contender.name}: stop failed: ${err.message}`,
    );
    return this.stopped;
  }

  async sample(pauseMs: number, keep: boolean): Promise<void> {
    if (this.abandoned) return;
    const ms = await latencySample(this.emulator, this.tracker, pauseMs);
    this.missedInARow = ms === undefined ? this.missedInARow + 1 : 0;
    if (this.missedInARow >= 3) await this.abandon("3 latency events in a row never arrived (5 s each)");
    if (!keep) return;
    if (ms === undefined) this.latencyTimeouts++;
    else this.latencies.push(ms);
  }

  async burst(count: number, keep: boolean): Promise<void> {
    if (this.abandoned) return;
    const requestsBefore = this.emulator.requests.length;
    const burst = await drainBurst(this.emulator, this.tracker, count, 20_000);
    if (burst === undefined) {
      this.incompleteBursts++;
      await this.abandon(`a burst of ${count} was not delivered completely within 20 s`);
    } else if (keep) {
      this.rates.push(burst.rate);
      this.cpuPerEvent.push(burst.cpuMicrosPerEvent);
      // up to the next held long poll, so the burst's trailing requests (the fetch that finds the end, the poll) count
      await untilPolling(this.emulator, 5000);
      this.drainRequests += this.emulator.requests.length - requestsBefore;
      this.drainEvents += count;
    }
  }
}

const BLOCK = 10;

/**
 * All contenders run side by side, each on its own emulator, but only one is measured at any moment: the
 * others sit in a held long poll, which costs next to nothing. Latency samples are taken in rotating
 * blocks of 10 and drain bursts in rotation, so a noisy neighbour on the machine (a parallel build, a
 * test run) hits every contender alike instead of spoiling one of them.
 */
export async function runContenders(
  contenders: Contender[],
  settings: BenchSettings,
  progress: (line: string) => void,
): Promise<ContenderResult[]> {
  const entrants: Entrant[] = [];
  for (const contender of contenders) {
    const entrant = new Entrant(
      contender,
      await startEmulator({
        positionFormat: settings.positionFormat,
        // bounded, so that the emulators' retained events (2.8 kB each) do not swell the heap every contender's GC walks
        retentionEvents: settings.burst + 2_000,
      }),
    );
    entrants.push(entrant);
    try {
      await contender.start(entrant.emulator, entrant.tracker.onEvent);
      if (!(await untilPolling(entrant.emulator, 30_000)))
        throw new Error("never held a long poll on the emulator within 30 s");
      progress(`${contender.name}: listening`);
    } catch (err) {
      entrant.failure = (err as Error).message;
      progress(`${contender.name}: FAILED to start: ${entrant.failure}`);
    }
  }
  const live = entrants.filter((e) => !e.failure);

  for (const e of live) for (let i = 0; i < settings.warmup; i++) await e.sample(settings.pauseMs, false);
  // every request an emulator serves during the latency phase counts, including each sample's trailing
  // ones (the page fetch that comes back empty, the next long poll); an idle contender makes none
  const requestsBefore = live.map((e) => e.emulator.requests.length);
  for (let done = 0; done < settings.samples; done += BLOCK) {
    for (const e of live)
      for (let i = done; i < Math.min(settings.samples, done + BLOCK); i++) await e.sample(settings.pauseMs, true);
  }
  await Promise.all(live.map((e) => untilPolling(e.emulator, 2000)));
  live.forEach((e, i) => (e.latencyRequests = e.emulator.requests.length - requestsBefore[i]));
  progress(`latency: ${settings.samples} samples each`);

  // an untimed burst a fifth the size first, so no contender pays for JIT warm-up in a timed one
  for (const e of live) await e.burst(Math.ceil(settings.burst / 5), false);
  if (settings.profileDir) {
    for (const e of live) {
      await withCpuProfile(settings.profileDir, `${e.contender.name}-drain`, async () => {
        for (let run = 0; run < settings.drainRuns; run++) await e.burst(settings.burst, true);
      });
    }
  } else {
    for (let run = 0; run < settings.drainRuns; run++) for (const e of live) await e.burst(settings.burst, true);
  }
  progress(
    `drain: ${live.map((e) => `${e.contender.name} ${e.rates.map((r) => Math.round(r)).join("/")}`).join("; ")} ev/s`,
  );
  await sleep(500); // late duplicates, if any, arrive here

  const results: ContenderResult[] = [];
  for (const e of entrants) {
    const notes = [...e.contender.notes()];
    if (e.abandoned) notes.push(`${e.contender.name}: measurement abandoned: ${e.abandoned}`);
    const stopFailure = await e.stop();
    if (stopFailure) notes.push(stopFailure);
    await e.emulator.close();
    const t = e.tracker;
    results.push({
      name: e.contender.name,
      failure: e.failure,
      latency: e.failure ? undefined : latencyResult(e.latencies, e.latencyTimeouts, e.latencyRequests),
      drain: e.failure
        ? undefined
        : drainResult(e.rates, e.cpuPerEvent, e.incompleteBursts, (e.drainRequests / e.drainEvents) * 1000),
      created: t.createdCount,
      distinct: t.distinct,
      duplicates: t.duplicates,
      unexpected: t.unexpected,
      lost: t.lost,
      notes,
    });
  }
  return results;
}
