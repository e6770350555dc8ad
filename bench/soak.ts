/**
 * Soak: the plain EventStream through 20,000 long-poll cycles against the emulator (in a child process),
 * with a realistic mix: new_change with 1-3 events, events racing a fetch, reconnect and max_retries
 * answers, a fault every few hundred cycles (connection reset, 5xx, 429 with retry-after 0-1 s, garbage,
 * a hung request), CCG tokens that live 4 s, every token expired at once now and then, and one cycle in
 * five with Box repeating the two events before each page (and sending short pages).
 *
 * Prints events created vs delivered, duplicates, heap (after a forced gc) and RSS at start, after
 * warm-up, middle and end, and what is left open at the end. Exit code 1 on a lost or duplicated event,
 * 2 on a missed resource target.
 *
 *   npm run soak                       # 20,000 cycles
 *   SOAK_CYCLES=2000 npm run soak      # a quick look
 */
import { ChildProcess, fork, spawnSync } from "child_process";
import path from "path";
import { ccgTokenSource } from "../nodes/box/auth/ccg";
import { BackoffPolicy } from "../nodes/box/backoff";
import { BoxClient } from "../nodes/box/http/box-client";
import { BoxEvent, EventsApi } from "../nodes/box/events/events-api";
import { BoxError } from "../nodes/box/errors";
import { EventStream, StreamState } from "../nodes/box/events/event-stream";
import { HttpClient } from "../nodes/box/http/http";
import { NO_PROXY } from "../nodes/box/http/proxy-settings";
import type { EmulatorOptions, Fault } from "../emulator";
import type { SoakAction, SoakReady, SoakReply, SoakRequest } from "./soak-emulator";

const CYCLES = Number(process.env.SOAK_CYCLES ?? 20_000);
const WARMUP_CYCLES = Math.min(2000, Math.floor(CYCLES / 10));
const HEAP_GROWTH_LIMIT = 0.05;
const RECENT_WINDOW = 2000;
const FAST_BACKOFF: BackoffPolicy = { baseMs: 5, maxMs: 100, helpBaseMs: 100, helpMaxMs: 500 };
const TOKEN_LIFETIME_SEC = 4;
const EMULATOR: EmulatorOptions = {
  positionFormat: "number",
  realtimeTimeoutMs: 30_000,
  retryTimeout: 2, // a hung long poll is given up after 2 s
  maxRetries: 10,
  ttl: 10,
  tokenLifetimeSec: TOKEN_LIFETIME_SEC,
  retentionEvents: 20_000,
};

type Snapshot = { label: string; cycle: number; heapUsed: number; rss: number };

/** A seeded generator, so that two runs see the same mix. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class EmulatorChild {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (reply: SoakReply) => void>();
  private nextId = 1;
  readonly ready: Promise<SoakReady>;

  constructor(options: EmulatorOptions) {
    this.child = fork(path.join(__dirname, "soak-emulator.js"), [JSON.stringify(options)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: [],
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.once("exit", (code, signal) => {
        childExit = `${code ?? signal}`;
        reject(new Error(`soak emulator exited with ${code ?? signal}`));
      });
      this.child.on("message", (msg: SoakReply | SoakReady) => {
        if (msg.type === "ready") return resolve(msg);
        const waiter = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        waiter?.(msg);
      });
    });
  }

  private ask<T extends SoakReply>(req: Omit<SoakRequest, "id"> & { type: SoakRequest["type"] }): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (reply: SoakReply) => void);
      this.child.send({ ...req, id } as SoakRequest);
    });
  }

  act(action: SoakAction) {
    return this.ask<Extract<SoakReply, { type: "acted" }>>({ type: "act", action } as SoakRequest);
  }

  stats() {
    return this.ask<Extract<SoakReply, { type: "stats" }>>({ type: "stats" } as SoakRequest);
  }

  /** The child closes its servers and disconnects; "close" fires once it exited and its stdio and IPC are closed. */
  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.child.once("close", resolve));
    this.child.send({ id: this.nextId++, type: "close" } satisfies SoakRequest);
    await closed;
  }
}

/**
 * Checks delivery as it happens with memory that does not grow: events are created in order and must
 * arrive in that order, so each delivered id is compared with the oldest one still expected.
 */
class DeliveryCheck {
  private readonly expected = new Map<string, true>();
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
  /** delivered before the emulator's answer with their ids reached this process (events made to race a fetch) */
  private readonly early = new Set<string>();
  created = 0;
  delivered = 0;
  distinct = 0;
  duplicates = 0;
  outOfOrder = 0;

  expect(ids: readonly string[]): void {
    for (const id of ids) {
      this.created++;
      if (this.early.delete(id)) {
        if (this.expected.size > 0) this.outOfOrder++; // an older event is still outstanding
        this.arrived(id);
      } else {
        this.expected.set(id, true);
      }
    }
  }

  deliver(id: string): void {
    this.delivered++;
    if (this.expected.has(id)) {
      const oldest = this.expected.keys().next().value;
      if (oldest !== id) this.outOfOrder++;
      this.expected.delete(id);
      this.arrived(id);
    } else if (this.recent.has(id) || this.early.has(id)) {
      this.duplicates++;
    } else {
      this.early.add(id);
    }
  }

  private arrived(id: string): void {
    this.distinct++;
    this.recent.add(id);
    this.recentOrder.push(id);
    // as many as the stream remembers, so the window is full well before the warm-up ends
    if (this.recentOrder.length > RECENT_WINDOW) this.recent.delete(this.recentOrder.shift() as string);
  }

  get outstanding(): number {
    return this.expected.size;
  }

  /** delivered, but never created */
  get unexpected(): number {
    return this.early.size;
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function measure(label: string, cycle: number): Promise<Snapshot> {
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { label, cycle, heapUsed, rss };
}

/** The resources this process holds, minus stdio. */
function activeResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => (r !== "TTYWrap" && r !== "PipeWrap") || false);
}

let stage = "starting";
let childExit: string | undefined;

async function main(): Promise<void> {
  const random = rng(20_251_127);
  const emulator = new EmulatorChild(EMULATOR);
  const { apiUrl, clientId, clientSecret } = await emulator.ready;
  const baselineResources = process.getActiveResourcesInfo();

  const tokenHttp = new HttpClient(NO_PROXY);
  const tokens = ccgTokenSource(tokenHttp, apiUrl, {
    clientId,
    clientSecret,
    subjectType: "enterprise",
    subjectId: "100001",
  });
  const api = new EventsApi(new BoxClient({ apiBaseUrl: apiUrl, tokens, proxy: NO_PROXY, requestTimeoutMs: 1500 }));
  const check = new DeliveryCheck();
  const states: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const pollAnswers: Record<string, number> = {};
  let cycles = 0;
  let pages = 0;
  let entriesFromBox = 0;

  const stream = new EventStream({
    streamType: "all",
    startFrom: "now",
    backoff: FAST_BACKOFF,
    api: {
      getEvents: async (...args: Parameters<EventsApi["getEvents"]>) => {
        const page = await api.getEvents(...args);
        entriesFromBox += page.entries.length;
        return page;
      },
      getRealtimeServer: (...args: Parameters<EventsApi["getRealtimeServer"]>) => api.getRealtimeServer(...args),
      longPoll: async (...args: Parameters<EventsApi["longPoll"]>) => {
        try {
          const message = await api.longPoll(...args);
          pollAnswers[message] = (pollAnswers[message] ?? 0) + 1;
          return message;
        } catch (err) {
          pollAnswers.error = (pollAnswers.error ?? 0) + 1;
          throw err;
        } finally {
          cycles++;
        }
      },
    },
    onEvents: (events: BoxEvent[]) => {
      pages++;
      for (const event of events) check.deliver(event.event_id as string);
    },
    onState: (state: StreamState, error?: BoxError) => {
      states[state] = (states[state] ?? 0) + 1;
      if (error) {
        const key = `${error.kind}: ${error.reason}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
    },
  });

  const controller = new AbortController();
  const started = Date.now();
  const running = stream.run(controller.signal);
  await emulator.act({ events: 0, waitHeld: true });
  const snapshots: Snapshot[] = [await measure("start", cycles)];
  const marks = [
    { at: WARMUP_CYCLES, label: "after warm-up" },
    { at: Math.floor(CYCLES / 2), label: "middle" },
  ];

  const faultsInjected: Record<string, number> = {};
  let nextFaultAt = 150 + Math.floor(random() * 300);
  let nextExpiryAt = 800 + Math.floor(random() * 800);
  let stalls = 0;
  let expiries = 0;
  let duplicatePages = false;
  let lastReport = Date.now();

  while (cycles < CYCLES) {
    const action: SoakAction = { events: 1 + Math.floor(random() * 3), waitHeld: true };
    const roll = random();
    if (roll < 0.08)
      action.waitHeld = false; // events land while the client fetches or reconnects
    else if (roll < 0.13) action.faults = [{ target: "realtime", kind: "message", message: "reconnect" }];
    else if (roll < 0.16) action.faults = [{ target: "realtime", kind: "message", message: "max_retries" }];
    else if (roll < 0.17) action.faults = [{ target: "realtime", kind: "message", message: "something_new" }];
    if (cycles >= nextFaultAt) {
      nextFaultAt = cycles + 150 + Math.floor(random() * 300);
      const fault = pickFault(random);
      action.faults = [...(action.faults ?? []), fault];
      const key = `${fault.target} ${fault.kind}${fault.status ? ` ${fault.status}` : ""}${fault.retryAfter !== undefined ? ` retry-after ${fault.retryAfter}` : ""}`;
      faultsInjected[key] = (faultsInjected[key] ?? 0) + 1;
    }
    if (cycles >= nextExpiryAt) {
      nextExpiryAt = cycles + 800 + Math.floor(random() * 800);
      action.expireTokens = true;
      expiries++;
    }
    // now and then Box repeats the events just before a page, or sends short pages
    const repeats = cycles % 5000 >= 4000;
    if (repeats !== duplicatePages) {
      duplicatePages = repeats;
      action.quirks = { duplicatePages: repeats, shortPages: repeats };
    }
    const { ids, held } = await emulator.act(action);
    if (!held) stalls++;
    check.expect(ids);

    const mark = marks[0];
    if (mark && cycles >= mark.at) {
      marks.shift();
      await emulator.act({ events: 0, waitHeld: true });
      snapshots.push(await measure(mark.label, cycles));
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      console.log(
        `  … ${cycles} cycles, ${check.created} events created, ${check.distinct} delivered, ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }
  }

  stage = "draining";
  // drain: everything created must arrive
  const drainDeadline = Date.now() + 30_000;
  while (check.outstanding > 0 && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await emulator.act({ events: 0, waitHeld: true });
  snapshots.push(await measure("end", cycles));
  const seconds = (Date.now() - started) / 1000;

  stage = "stopping the stream";
  controller.abort();
  await running;
  stage = "closing the API client";
  await api.client.close();
  stage = "closing the token client";
  await tokenHttp.close();
  stage = "closing";
  // give the sockets' close a turn of the loop on both sides
  await new Promise((resolve) => setTimeout(resolve, 200));
  const emulatorAfter = await emulator.stats();
  const leftOpen = diffResources(baselineResources, process.getActiveResourcesInfo());
  stage = "closing the emulator";
  await emulator.close();
  // the child's process handle closes a turn after its "close" event
  await new Promise((resolve) => setTimeout(resolve, 100));
  const afterAll = activeResources();

  stage = "done";
  // ---- report
  const warm = snapshots.find((s) => s.label === "after warm-up") ?? snapshots[0];
  const end = snapshots[snapshots.length - 1];
  const growth = (end.heapUsed - warm.heapUsed) / warm.heapUsed;
  const lost = check.created - check.distinct;

  console.log(`\nSoak: ${cycles} long-poll cycles in ${seconds.toFixed(0)} s (Node.js ${process.version})`);
  console.log(`  long-poll answers: ${fmt(pollAnswers)}`);
  console.log(
    `  faults injected:   ${fmt(faultsInjected)}; every token expired at once: ${expiries}x; token lifetime ${TOKEN_LIFETIME_SEC} s, token requests ${emulatorAfter.tokenRequests}`,
  );
  console.log(`  errors reported:   ${fmt(errors)}`);
  console.log(`  states:            ${fmt(states)}`);
  console.log(
    `  events: created ${check.created}, delivered ${check.delivered}, distinct ${check.distinct}, lost ${lost}, duplicates ${check.duplicates}, out of order ${check.outOfOrder}, unknown ${check.unexpected} (in ${pages} pages)`,
  );
  console.log(`  repeats Box sent (duplicate pages) and the stream dropped: ${entriesFromBox - check.delivered}`);
  if (stalls) console.log(`  acts where the client held no poll within 30 s: ${stalls}`);
  console.log(`\n| point | cycle | heap used (after gc) | RSS |`);
  console.log(`|---|---:|---:|---:|`);
  for (const s of snapshots) console.log(`| ${s.label} | ${s.cycle} | ${mb(s.heapUsed)} MB | ${mb(s.rss)} MB |`);
  console.log(`\n  heap growth after warm-up: ${(growth * 100).toFixed(2)} % (${mb(end.heapUsed - warm.heapUsed)} MB)`);
  console.log(
    `  at the end, stream stopped: emulator open connections ${emulatorAfter.openConnections}, held polls ${emulatorAfter.heldPolls}`,
  );
  console.log(
    `  this process, new since the start: ${leftOpen.length ? leftOpen.join(", ") : "none"}; after the emulator exited: ${afterAll.length ? afterAll.join(", ") : "none"}`,
  );

  const targets: [string, boolean][] = [
    [`${CYCLES} long-poll cycles`, cycles >= CYCLES],
    ["nothing lost", lost === 0 && check.unexpected === 0],
    ["nothing duplicated", check.duplicates === 0],
    ["in order", check.outOfOrder === 0],
    [`heap growth after warm-up < ${HEAP_GROWTH_LIMIT * 100} %`, growth < HEAP_GROWTH_LIMIT],
    ["no socket left open (emulator side)", emulatorAfter.openConnections === 0 && emulatorAfter.heldPolls === 0],
    ["no handle left open (client side)", leftOpen.length === 0 && afterAll.length === 0],
  ];
  console.log("");
  for (const [what, ok] of targets) console.log(`${ok ? "PASS" : "MISS"}  ${what}`);
  const deliveryOk = lost === 0 && check.duplicates === 0 && check.outOfOrder === 0 && check.unexpected === 0;
  process.exitCode = deliveryOk ? (targets.every(([, ok]) => ok) ? 0 : 2) : 1;
}

function pickFault(random: () => number): Fault {
  const targets = ["events", "options", "realtime"] as const;
  const target = targets[Math.floor(random() * targets.length)];
  const r = random();
  if (r < 0.25) return { target, kind: "reset" };
  if (r < 0.45) return { target, kind: "status", status: [500, 502, 503][Math.floor(random() * 3)] };
  if (r < 0.65) return { target, kind: "status", status: 429, retryAfter: random() < 0.5 ? 0 : 1 };
  if (r < 0.85) return { target, kind: "garbage" };
  if (r < 0.93) return { target: "token", kind: "status", status: 503 };
  return { target, kind: "hang" };
}

function diffResources(before: string[], after: string[]): string[] {
  const left = [...after];
  for (const r of before) {
    const i = left.indexOf(r);
    if (i >= 0) left.splice(i, 1);
  }
  return left;
}

function fmt(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
  // heap figures need a forced gc: run again with --expose-gc
  const result = spawnSync(process.execPath, ["--expose-gc", __filename, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(result.status ?? 1);
} else {
  process.on("exit", () => {
    if (stage !== "done")
      console.error(
        `soak: the process ran out of work while ${stage} (a promise that never settles); emulator child exit: ${childExit}; active: ${process.getActiveResourcesInfo().join(",")}`,
      );
  });
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  });
}
