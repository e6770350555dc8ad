/**
 * Idle cost: N box-events-in nodes in one Node-RED runtime, each holding a long poll that nothing answers
 * (until the emulator's realtime timeout asks for a reconnect). The emulator runs in its own child process
 * and Node-RED in another, so the CPU figure is Node-RED + the nodes only; the runtime's own idle cost
 * (same process, no nodes deployed) is measured first and shown beside it.
 */
import { ChildProcess, fork } from "child_process";
import path from "path";
import type { EmulatorChildMessage, EmulatorChildRequest } from "./emulator-child";
import { sleep } from "./measure";
import { benchFlow, NodeRedRuntime } from "./node-red-runtime";

export interface IdleSettings {
  nodes: number;
  baselineMs: number;
  windowMs: number;
  /** after all nodes hold a poll, before the window opens */
  settleMs: number;
  realtimeTimeoutMs: number;
}

export interface IdleResult {
  nodes: number;
  polling: number;
  windowSeconds: number;
  /** % of one core, Node-RED process, nodes deployed, whole window */
  nodeRedPercent: number;
  /** median and max of the window's 1-second slices (a one-off GC shows up in the max) */
  medianSlicePercent: number;
  maxSlicePercent: number;
  /** held polls at the end of the window */
  pollingAfter: number;
  /** % of one core, same process before the deploy (runtime alone) */
  baselinePercent: number;
  /** % of one core, the emulator process during the window */
  emulatorPercent: number;
  /** requests the emulator served during the window (reconnects, OPTIONS) */
  requests: number;
  log: string[];
}

/** Runs the idle measurement in a fresh child process (Node-RED starts once per process). */
export function runIdle(settings: IdleSettings): Promise<IdleResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [JSON.stringify(settings)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: IdleResult | undefined;
    child.on("message", (msg: { result?: IdleResult; error?: string }) => {
      if (msg.result) result = msg.result;
      else if (msg.error) reject(new Error(msg.error));
    });
    child.on("exit", (code) =>
      result ? resolve(result) : reject(new Error(`idle process exited with ${code} and no result`)),
    );
  });
}

class EmulatorChild {
  private readonly child: ChildProcess;
  private readonly pending: ((msg: EmulatorChildMessage) => void)[] = [];

  constructor(realtimeTimeoutMs: number) {
    this.child = fork(path.join(__dirname, "emulator-child.js"), [String(realtimeTimeoutMs)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (msg: EmulatorChildMessage) => this.pending.shift()?.(msg));
  }

  next(): Promise<EmulatorChildMessage> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  async stats(): Promise<Extract<EmulatorChildMessage, { type: "stats" }>> {
    const reply = this.next();
    this.child.send({ type: "stats" } satisfies EmulatorChildRequest);
    return (await reply) as Extract<EmulatorChildMessage, { type: "stats" }>;
  }

  close(): void {
    if (this.child.connected) this.child.send({ type: "close" } satisfies EmulatorChildRequest);
  }
}

function cpuMicros(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}

/** % of one core over `ms` (all threads: V8's concurrent GC counts), plus the median and max 1-second slice. */
async function percentOver(ms: number): Promise<{ percent: number; medianSlice: number; maxSlice: number }> {
  const start = { cpu: cpuMicros(), wall: process.hrtime.bigint() };
  const slices: number[] = [];
  let last = start;
  while (Number(last.wall - start.wall) / 1e6 < ms) {
    await sleep(Math.min(1000, ms - Number(last.wall - start.wall) / 1e6));
    const now = { cpu: cpuMicros(), wall: process.hrtime.bigint() };
    slices.push(((now.cpu - last.cpu) / (Number(now.wall - last.wall) / 1000)) * 100);
    last = now;
  }
  slices.sort((a, b) => a - b);
  return {
    percent: ((last.cpu - start.cpu) / (Number(last.wall - start.wall) / 1000)) * 100,
    medianSlice: slices[Math.floor(slices.length / 2)] ?? NaN,
    maxSlice: slices[slices.length - 1] ?? NaN,
  };
}

async function measureIdle(settings: IdleSettings): Promise<IdleResult> {
  const emulator = new EmulatorChild(settings.realtimeTimeoutMs);
  const ready = (await emulator.next()) as Extract<EmulatorChildMessage, { type: "ready" }>;
  const runtime = await NodeRedRuntime.start();
  try {
    await sleep(1000);
    const baselinePercent = (await percentOver(settings.baselineMs)).percent;

    await runtime.deploy(benchFlow({ apiUrl: ready.apiUrl, token: ready.token, count: settings.nodes, sink: false }));
    const deadline = Date.now() + 60_000;
    let polling = 0;
    while ((polling = (await emulator.stats()).heldPolls) < settings.nodes && Date.now() < deadline) await sleep(100);
    await sleep(settings.settleMs);

    const before = await emulator.stats();
    const t0 = process.hrtime.bigint();
    const window = await percentOver(settings.windowMs);
    const after = await emulator.stats();
    const wallMicros = Number(process.hrtime.bigint() - t0) / 1000;
    return {
      nodes: settings.nodes,
      polling,
      windowSeconds: wallMicros / 1e6,
      nodeRedPercent: window.percent,
      medianSlicePercent: window.medianSlice,
      maxSlicePercent: window.maxSlice,
      pollingAfter: after.heldPolls,
      baselinePercent,
      emulatorPercent: ((after.cpuMicros - before.cpuMicros) / wallMicros) * 100,
      requests: after.requests - before.requests,
      log: runtime.log.slice(0, 5),
    };
  } finally {
    await runtime.stop().catch(() => undefined);
    emulator.close();
  }
}

if (require.main === module) {
  measureIdle(JSON.parse(process.argv[2]) as IdleSettings).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (err: Error) => process.send?.({ error: err.stack ?? err.message }, () => process.exit(1)),
  );
}
