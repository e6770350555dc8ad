/**
 * Rate limit: N box-events-in nodes on one box-config (one Box user) in a real Node-RED runtime, and a 429
 * with `retry-after` on one node's fetch. Node 0 follows every event, the others only file-tree changes, so
 * an ITEM_PREVIEW wakes node 0 alone and the 429 meets no other fetch in flight. Right after it, an
 * ITEM_UPLOAD wakes every node with news to fetch: counted are the API requests that reach the emulator
 * inside the retry-after window (Box would answer each with another 429), then how the nodes resume.
 * Runs in a child process: Node-RED starts once per process, and the contenders' runtime already did.
 */
import { fork } from "child_process";
import { startEmulator } from "../emulator";
import { sleep } from "./measure";
import { benchFlow, NodeRedRuntime, SINK_ID } from "./node-red-runtime";

export interface RateLimitSettings {
  nodes: number;
  retryAfterSec: number;
}

export interface RateLimitResult {
  nodes: number;
  retryAfterSec: number;
  /** API requests that arrived after the 429 and before retry-after had passed */
  inWindow: number;
  /** nodes whose long poll said new_change inside the window (node 0, in its own backoff, comes on top) */
  woken: number;
  /** ms from the 429 to the next API request */
  firstAfterMs: number;
  /** API requests from the end of the window until every event was delivered, and over how many ms */
  resumeRequests: number;
  resumeSpreadMs: number;
  delivered: number;
  expected: number;
  log: string[];
}

/** Runs the measurement in a fresh child process. */
export function runRateLimit(settings: RateLimitSettings): Promise<RateLimitResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [JSON.stringify(settings)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: RateLimitResult | undefined;
    child.on("message", (msg: { result?: RateLimitResult; error?: string }) => {
      if (msg.result) result = msg.result;
      else if (msg.error) reject(new Error(msg.error));
    });
    child.on("exit", (code) =>
      result ? resolve(result) : reject(new Error(`rate-limit process exited with ${code} and no result`)),
    );
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function measureRateLimit(settings: RateLimitSettings): Promise<RateLimitResult> {
  // realtime timeout far beyond the run, so no reconnect mixes into the counts
  const emulator = await startEmulator({ positionFormat: "string", realtimeTimeoutMs: 600_000 });
  const runtime = await NodeRedRuntime.start();
  try {
    const flow = benchFlow({
      apiUrl: emulator.apiUrl,
      token: emulator.issueToken({ lifetimeSec: 3600 }),
      count: settings.nodes,
      sink: true,
      streamType: (i) => (i === 0 ? "all" : "changes"),
    });
    await runtime.deploy(flow);
    let delivered = 0;
    const sink = runtime.getNode(SINK_ID);
    if (!sink) throw new Error("the sink node did not start");
    sink.on("input", (_msg, _send, done) => {
      delivered++;
      done();
    });
    await until(() => emulator.heldPolls() === settings.nodes, `${settings.nodes} long polls`);

    const start = emulator.requests.length;
    emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: settings.retryAfterSec });
    emulator.createEvent({ event_type: "ITEM_PREVIEW" });
    await until(() => runtime.log.some((line) => /rate limited/.test(line)), "node 0 to see the 429");
    const limited = emulator.requests.findIndex((r, i) => i >= start && r.server === "api");
    const limitedAt = emulator.requests[limited].at;
    const held = emulator.heldPolls();
    emulator.createEvent({ event_type: "ITEM_UPLOAD" });
    const woken = held - emulator.heldPolls(); // the emulator answers matching held polls as the event is created
    const expected = 1 + settings.nodes;
    await until(() => delivered >= expected, `${expected} messages`);
    await sleep(500);

    const windowEnd = limitedAt + settings.retryAfterSec * 1000;
    const api = emulator.requests.slice(limited + 1).filter((r) => r.server === "api");
    const resume = api.filter((r) => r.at >= windowEnd);
    return {
      nodes: settings.nodes,
      retryAfterSec: settings.retryAfterSec,
      inWindow: api.filter((r) => r.at < windowEnd).length,
      woken,
      firstAfterMs: api.length ? api[0].at - limitedAt : NaN,
      resumeRequests: resume.length,
      resumeSpreadMs: resume.length ? resume[resume.length - 1].at - resume[0].at : 0,
      delivered,
      expected,
      log: runtime.log.filter((line) => !/rate limited/.test(line)).slice(0, 5),
    };
  } finally {
    await runtime.stop().catch(() => undefined);
    await emulator.close();
  }
}

if (require.main === module) {
  measureRateLimit(JSON.parse(process.argv[2]) as RateLimitSettings).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (err: Error) => process.send?.({ error: err.stack ?? err.message }, () => process.exit(1)),
  );
}
