/**
 * `npm run bench`: event-to-message latency and burst drain rate of box-events-in against a bare long-poll
 * loop (the floor) and box-node-sdk v10, all against the in-process Box emulator, with the requests each made;
 * then the idle CPU of 50 nodes (Node-RED and the emulator in child processes), and what 50 nodes on one
 * box-config send while a 429's retry-after runs (Node-RED in a child process).
 * Flags: --markdown (also print the table for the README), --no-idle, --idle (idle measurement only),
 * --only floor,node,folder,sdk,redis,ack,ack500 (folder: box-events-in limited to a folder; redis: with coordination
 * through a local redis-server, when one is installed; ack, ack500: with ack "flow", an ack node right after it and
 * maxInFlight 100 or 500), --samples N, --warmup N, --burst N,
 * --drain-runs N, --idle-seconds N, --idle-nodes N, --no-rate-limit, --rate-limit-nodes N, --retry-after S,
 * --positions number (bare big-integer positions, as Box sometimes sends them),
 * --cpu-profile DIR (profile each contender's drain phase; read with `node dist/bench/profile-summary.js`).
 * Exit code 0 whatever the verdicts; 1 only when the bench itself crashed.
 */
import { execFileSync } from "child_process";
import os from "os";
import { FloorContender } from "./floor";
import { IdleResult, IdleSettings, runIdle } from "./idle";
import type { Contender } from "./measure";
import { NodeRedContender } from "./node-red-contender";
import { RateLimitSettings, runRateLimit } from "./rate-limit";
import { markdownTable, rateLimitLine, targets, textTable } from "./report";
import { BenchSettings, ContenderResult, runContenders } from "./run-contenders";
import { SdkContender } from "./sdk-contender";

interface Args {
  bench: BenchSettings;
  idle: IdleSettings;
  runIdle: boolean;
  rateLimit: RateLimitSettings;
  runRateLimit: boolean;
  runContenders: boolean;
  markdown: boolean;
  only: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    bench: { warmup: 20, samples: 200, pauseMs: 2, burst: 10_000, drainRuns: 5, positionFormat: "string" },
    // the window is as long as the realtime timeout, so each node's reconnect cycle (reconnect, OPTIONS, new poll) is in it once
    idle: { nodes: 50, baselineMs: 5_000, windowMs: 30_000, settleMs: 10_000, realtimeTimeoutMs: 30_000 },
    runIdle: true,
    rateLimit: { nodes: 50, retryAfterSec: 2 },
    runRateLimit: true,
    runContenders: true,
    markdown: false,
    only: ["floor", "node", "folder", "ack", "ack500", "sdk", ...(redisServerInstalled() ? ["redis"] : [])],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const num = () => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
      return n;
    };
    if (flag === "--markdown") args.markdown = true;
    else if (flag === "--no-idle") args.runIdle = false;
    else if (flag === "--idle-only" || flag === "--idle") {
      args.runContenders = false;
      args.runRateLimit = false;
    } else if (flag === "--no-rate-limit") args.runRateLimit = false;
    else if (flag === "--rate-limit-nodes") args.rateLimit.nodes = Math.max(1, num());
    else if (flag === "--retry-after") args.rateLimit.retryAfterSec = num();
    else if (flag === "--samples") args.bench.samples = num();
    else if (flag === "--warmup") args.bench.warmup = num();
    else if (flag === "--burst") args.bench.burst = num();
    else if (flag === "--drain-runs") args.bench.drainRuns = Math.max(1, num());
    else if (flag === "--idle-seconds") args.idle.windowMs = num() * 1000;
    else if (flag === "--idle-nodes") args.idle.nodes = num();
    else if (flag === "--only") args.only = (argv[++i] ?? "").split(",");
    else if (flag === "--positions") {
      const format = argv[++i];
      if (format !== "string" && format !== "number") throw new Error("--positions takes string or number");
      args.bench.positionFormat = format;
    } else if (flag === "--cpu-profile") args.bench.profileDir = argv[++i] ?? "bench-profiles";
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

const contenders: Record<string, () => Contender> = {
  floor: () => new FloorContender(),
  node: () => new NodeRedContender(),
  // every emulator event's path holds "All Files" (id 0): scoped, and decided from the event without a lookup
  folder: () => new NodeRedContender("folder", "0"),
  // the same node with coordination: a lease in a local redis-server and a Redis commit per page
  redis: () => new NodeRedContender("redis", undefined, true),
  sdk: () => new SdkContender(),
  // ack: "flow" with a box-events-ack node right after the events node: the default maxInFlight (100), which sends
  // a 500-event page a hundred at a time, and 500 (Box's page size)
  ack: () => new NodeRedContender("ack", undefined, false, 100),
  ack500: () => new NodeRedContender("ack500", undefined, false, 500),
};

/** A phase that runs in a child process: its failure is reported on its line, and the rest of the bench goes on. */
async function childPhase<T>(label: string, run: () => Promise<T>): Promise<T | undefined> {
  process.stdout.write(`  ${label} ...`);
  try {
    const result = await run();
    process.stdout.write(" done\n");
    return result;
  } catch (err) {
    process.stdout.write(` FAILED: ${(err as Error).message}\n`);
    return undefined;
  }
}

async function measureContenders(args: Args): Promise<ContenderResult[]> {
  if (!args.runContenders) return [];
  const s = args.bench;
  console.log(
    `Emulator in-process, one fresh emulator per contender, positions as JSON ${s.positionFormat === "string" ? "strings" : "bare numbers (above 2^53)"}. Latency: ${s.samples} samples each after ${s.warmup} warm-up, ` +
      `each event created once the contender holds its long poll (+${s.pauseMs} ms), contenders rotating every 10 samples. ` +
      `Drain: bursts of ${s.burst.toLocaleString("en-US")} events created at once, clock from burst created to last distinct event delivered, ` +
      `median of ${s.drainRuns} per contender, contenders rotating.`,
  );
  const chosen = args.only.map((name) => {
    const make = contenders[name];
    if (!make) throw new Error(`unknown contender ${name}`);
    return make();
  });
  return runContenders(chosen, s, (line) => console.log(`  ${line}`));
}

function printContenders(results: ContenderResult[], overloaded: string | undefined): void {
  if (!results.length) return;
  console.log("");
  console.log(textTable(results));
  console.log(
    "req/event: requests the emulator served per latency sample (long polls, fetches, OPTIONS). drain req/1k ev: the same per " +
      "1,000 events during the timed bursts. cpu µs/ev: this process's CPU time per event during the bursts " +
      "(client + in-process emulator, all threads); unlike ev/s it hardly moves when other programs load the machine.",
  );
  if (overloaded) console.log(overloaded);
}

function printIdle(idle: IdleResult | undefined): void {
  if (!idle) return;
  console.log("");
  console.log(
    `Idle, ${idle.nodes} box-events-in nodes (${idle.polling} holding a long poll), ${idle.windowSeconds.toFixed(1)} s: ` +
      `Node-RED process ${idle.nodeRedPercent.toFixed(2)}% of one core (1-s slices: median ${idle.medianSlicePercent.toFixed(2)}%, max ${idle.maxSlicePercent.toFixed(2)}%; ` +
      `runtime alone before deploy: ${idle.baselinePercent.toFixed(2)}%); emulator process ${idle.emulatorPercent.toFixed(2)}%, ` +
      `${idle.requests} requests served in the window, ${idle.pollingAfter} polls held at its end.`,
  );
  for (const line of idle.log) console.log(`  idle node-red log: ${line}`);
}

function redisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The cost of coordination on the drain: the `redis` row against the uncoordinated `node` row (target: within 10%). */
function coordinationCost(results: ContenderResult[]): string | undefined {
  const plain = results.find((r) => r.name === "node")?.drain;
  const coordinated = results.find((r) => r.name === "redis")?.drain;
  if (!plain || !coordinated) return undefined;
  const rate = coordinated.rate / plain.rate;
  const cpu = coordinated.cpuMicrosPerEvent / plain.cpuMicrosPerEvent;
  const verdict = rate >= 0.9 ? "ok" : "MISS";
  return (
    `\nCoordination (Redis lease, commit per page) on the drain: ${Math.round(coordinated.rate)} vs ` +
    `${Math.round(plain.rate)} ev/s uncoordinated, ratio ${rate.toFixed(3)}; cpu µs/ev ratio ${cpu.toFixed(3)} ` +
    `(target: rate within 10%: ${verdict})`
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cpus = os.cpus();
  const loadAtStart = os.loadavg()[0];
  console.log(
    `box-events-in bench: Node.js ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? "unknown"}), ${os.platform()} ${os.arch()}, load average ${loadAtStart.toFixed(2)}`,
  );
  const results = await measureContenders(args);
  const i = args.idle;
  const idle = args.runIdle
    ? await childPhase(
        `idle: ${i.nodes} nodes, emulator in a child process (realtime timeout ${i.realtimeTimeoutMs / 1000} s), ${i.windowMs / 1000} s window`,
        () => runIdle(i),
      )
    : undefined;
  const r = args.rateLimit;
  const rateLimit = args.runRateLimit
    ? await childPhase(
        `rate limit: ${r.nodes} nodes on one box-config, a 429 with retry-after ${r.retryAfterSec} s`,
        () => runRateLimit(r),
      )
    : undefined;

  const overloaded =
    loadAtStart > cpus.length * 0.5
      ? `warning: 1-min load average was ${loadAtStart.toFixed(2)} on ${cpus.length} CPUs before the bench began: other programs compete for the CPU, ` +
        "so wall-clock figures (ms, ev/s) are noisy; cpu µs/ev is the steadier comparison."
      : undefined;
  printContenders(results, overloaded);
  const coordination = coordinationCost(results);
  if (coordination) console.log(coordination);
  printIdle(idle);
  if (rateLimit) {
    console.log("");
    console.log(rateLimitLine(rateLimit));
    for (const line of rateLimit.log) console.log(`  rate-limit node-red log: ${line}`);
  }
  const notes = results.flatMap((result) => result.notes);
  if (notes.length) {
    console.log("");
    for (const note of notes) console.log(`note: ${note}`);
  }
  console.log("");
  console.log("Targets (informational):");
  for (const t of targets(results, idle, rateLimit)) console.log(`  ${t.verdict.padEnd(4)}  ${t.name}: ${t.detail}`);
  if (args.markdown) {
    console.log("");
    console.log(markdownTable(results, idle, rateLimit));
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
