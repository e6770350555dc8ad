/**
 * Memory and CPU of 0, 1, 50 and 200 box-events-in nodes (one box-config) in one real Node-RED process,
 * against the emulator running in this process (so the Node-RED figures hold Node-RED and the nodes only).
 * For each count: a fresh Node-RED, the nodes deployed and holding their long polls, then
 *   idle:    CPU (utime+stime from /proc/<pid>/stat) over the window, VmRSS at its end, and the heap in use
 *            after a full gc (Node-RED runs with --expose-gc and test/support/handle-probe, asked by signal);
 *   flowing: the same while the account gets EVENTS_PER_SEC events per second (each node receives each one).
 * Prints a markdown table.
 *
 *   npm run scale                                   # 20 s windows
 *   SCALE_WINDOW_SEC=5 SCALE_COUNTS=1,50 npm run scale
 *   BOX_TEST_NODE_RED=/path/to/node_modules/node-red node dist/bench/scale.js   # another Node-RED
 */
import { execSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { startEmulator, BoxEmulator } from "../emulator";
import { probe } from "../test/support/handle-probe";
import { NodeRedProcess } from "../test/support/node-red-process";
import { nodeRedVersion } from "../test/support/node-red-version";

const COUNTS = (process.env.SCALE_COUNTS ?? "0,1,50,200").split(",").map(Number);
const WINDOW_SEC = Number(process.env.SCALE_WINDOW_SEC ?? 20);
const EVENTS_PER_SEC = Number(process.env.SCALE_EVENTS_PER_SEC ?? 10);
const SETTLE_MS = 3000;
const CLK_TCK = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;

interface Row {
  nodes: number;
  polling: number;
  idleCpu: number;
  idleRss: number;
  idleHeap: number;
  flowCpu?: number;
  flowRss?: number;
  flowHeap?: number;
  delivered?: number;
  expected?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function cpuTicks(pid: number): number {
  // the fields after the command name, which is in parentheses and may hold spaces
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the full line)
}

function rssMb(pid: number): number {
  const match = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** % of one core the process used over `ms`. */
async function cpuPercent(pid: number, ms: number): Promise<number> {
  const t0 = cpuTicks(pid);
  const w0 = Date.now();
  await sleep(ms);
  return (((cpuTicks(pid) - t0) / CLK_TCK) * 1000 * 100) / (Date.now() - w0);
}

function flows(emulator: BoxEmulator, token: string, count: number, countFile: string): object[] {
  const flow: object[] = [
    { id: "tab1", type: "tab", label: "scale" },
    {
      id: "cfg1",
      type: "box-config",
      name: "emulator",
      authType: "developerToken",
      apiBaseUrl: emulator.apiUrl,
      credentials: { accessToken: token },
    },
  ];
  for (let i = 0; i < count; i++) {
    flow.push({
      id: `in${i}`,
      type: "box-events-in",
      z: "tab1",
      name: `in ${i}`,
      box: "cfg1",
      streamType: "all",
      startFrom: "now",
      resume: true,
      eventTypes: [],
      x: 120,
      y: 40 + i * 40,
      wires: [["count1"]],
    });
  }
  // counts what every node delivered (in flow context); an inject writes the total to a file each second
  flow.push({
    id: "count1",
    type: "function",
    z: "tab1",
    name: "count",
    x: 400,
    y: 40,
    outputs: 0,
    func: `flow.set("n", (flow.get("n") || 0) + 1); return null;`,
  });
  flow.push({
    id: "report1",
    type: "inject",
    z: "tab1",
    name: "",
    x: 400,
    y: 120,
    repeat: "1",
    once: true,
    onceDelay: 0.1,
    topic: "",
    payload: "",
    payloadType: "date",
    props: [{ p: "payload" }],
    wires: [["write1"]],
  });
  flow.push({
    id: "write1",
    type: "function",
    z: "tab1",
    name: "",
    x: 560,
    y: 120,
    outputs: 1,
    func: `msg.payload = String(flow.get("n") || 0); return msg;`,
    wires: [["file1"]],
  });
  flow.push({
    id: "file1",
    type: "file",
    z: "tab1",
    name: "",
    filename: countFile,
    filenameType: "str",
    appendNewline: false,
    createDir: true,
    overwriteFile: "true",
    encoding: "none",
    x: 720,
    y: 120,
    wires: [[]],
  });
  return flow;
}

async function measure(count: number): Promise<Row> {
  const emulator = await startEmulator({ positionFormat: "number", realtimeTimeoutMs: 120_000 });
  const probeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "box-scale-")), "probe.json");
  const nodeRed = await NodeRedProcess.start({
    flows: [],
    env: {
      NODE_OPTIONS: `--expose-gc --require ${path.join(__dirname, "..", "test", "support", "handle-probe.js")}`,
      BOX_PROBE_FILE: probeFile,
    },
  });
  try {
    const pid: number = JSON.parse(fs.readFileSync(probeFile, "utf8")).pid;
    const countFile = path.join(nodeRed.userDir, "count.txt");
    await nodeRed.deploy(flows(emulator, emulator.issueToken(), count, countFile));
    const deadline = Date.now() + 120_000;
    while (emulator.heldPolls() < count && Date.now() < deadline) await sleep(100);
    const polling = emulator.heldPolls();
    await sleep(SETTLE_MS);

    const idleCpu = await cpuPercent(pid, WINDOW_SEC * 1000);
    const idleRss = rssMb(pid);
    const idleHeap = (await probe(probeFile)).memory.heapUsed / 1024 / 1024;
    const row: Row = { nodes: count, polling, idleCpu, idleRss, idleHeap };
    if (count === 0) return row;

    const readCount = () => Number(fs.existsSync(countFile) ? fs.readFileSync(countFile, "utf8") || 0 : 0);
    await sleep(1200);
    const before = readCount();
    let created = 0;
    const t0 = cpuTicks(pid);
    const w0 = Date.now();
    while (Date.now() - w0 < WINDOW_SEC * 1000) {
      emulator.createEvent();
      created++;
      await sleep(Math.max(0, w0 + (created * 1000) / EVENTS_PER_SEC - Date.now()));
    }
    const flowCpu = (((cpuTicks(pid) - t0) / CLK_TCK) * 1000 * 100) / (Date.now() - w0);
    row.flowRss = rssMb(pid);
    row.flowCpu = flowCpu;
    row.flowHeap = (await probe(probeFile)).memory.heapUsed / 1024 / 1024;
    row.expected = created * count;
    const drain = Date.now() + 30_000;
    while (readCount() - before < row.expected && Date.now() < drain) await sleep(200);
    row.delivered = readCount() - before;
    return row;
  } finally {
    await nodeRed.stop();
    await emulator.close();
    fs.rmSync(nodeRed.userDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `Node-RED ${nodeRedVersion()} on Node.js ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}; windows of ${WINDOW_SEC} s, ${EVENTS_PER_SEC} events/s while flowing`,
  );
  const rows: Row[] = [];
  for (const count of COUNTS) {
    const row = await measure(count);
    rows.push(row);
    console.log(
      `  ${count} nodes: ${JSON.stringify(row, (k, v) => (typeof v === "number" ? Math.round(v * 10) / 10 : v))}`,
    );
  }
  const f = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
  console.log("");
  console.log(
    `| box-events-in nodes | polling | idle CPU (% of one core) | idle heap (after gc) | idle RSS | CPU at ${EVENTS_PER_SEC} events/s | heap at ${EVENTS_PER_SEC} events/s | RSS at ${EVENTS_PER_SEC} events/s | messages delivered |`,
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const delivered = r.expected === undefined ? "–" : `${r.delivered} of ${r.expected}`;
    const label = r.nodes === 0 ? "0 (Node-RED alone)" : String(r.nodes);
    const mbOrDash = (n?: number) => (n === undefined ? "–" : `${f(n)} MB`);
    console.log(
      `| ${label} | ${r.polling} | ${f(r.idleCpu, 2)} % | ${mbOrDash(r.idleHeap)} | ${mbOrDash(r.idleRss)} | ${r.flowCpu === undefined ? "–" : `${f(r.flowCpu)} %`} | ${mbOrDash(r.flowHeap)} | ${mbOrDash(r.flowRss)} | ${delivered} |`,
    );
  }
  const bad = rows.filter((r) => r.polling < r.nodes || (r.expected !== undefined && r.delivered !== r.expected));
  if (bad.length) {
    console.log(
      `\nMISS: ${bad.map((r) => `${r.nodes} nodes: ${r.polling} polling, ${r.delivered ?? "-"} of ${r.expected ?? "-"} delivered`).join("; ")}`,
    );
    process.exitCode = 1;
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
