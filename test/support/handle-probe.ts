/**
 * Preloaded into a Node-RED child process (`NODE_OPTIONS=--require <this file>`, `BOX_PROBE_FILE=<path>`):
 * on SIGWINCH it writes what keeps the process busy (process.getActiveResourcesInfo()) and the process's
 * listener counts to BOX_PROBE_FILE, so a test can tell whether redeploys leave sockets, timers or
 * listeners behind. A signal adds no socket or timer of its own to what it measures (SIGWINCH: Node-RED exits on SIGUSR2).
 */
import fs from "fs";

export interface ProbeReport {
  pid: number;
  /** one entry per active handle or request, e.g. "TCPSocketWrap", "Timeout" */
  resources: string[];
  /** listeners on `process`, by event name */
  processListeners: Record<string, number>;
  /** process.memoryUsage(), after a full gc when the process runs with --expose-gc */
  memory: NodeJS.MemoryUsage;
  /** how many reports this process wrote before this one */
  seq: number;
}

const file = process.env.BOX_PROBE_FILE;
if (file) {
  let seq = 0;
  const write = () => {
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const processListeners: Record<string, number> = {};
    for (const name of process.eventNames()) processListeners[String(name)] = process.listenerCount(name);
    const report: ProbeReport = {
      pid: process.pid,
      resources: process.getActiveResourcesInfo(),
      processListeners,
      memory,
      seq: seq++,
    };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
    fs.renameSync(`${file}.tmp`, file);
  };
  process.on("SIGWINCH", write);
  write();
}

/** Asks the process to report and reads what it wrote. */
export async function probe(file: string): Promise<ProbeReport> {
  const before: ProbeReport = JSON.parse(fs.readFileSync(file, "utf8"));
  process.kill(before.pid, "SIGWINCH");
  const deadline = Date.now() + 10_000;
  for (;;) {
    const report: ProbeReport = JSON.parse(fs.readFileSync(file, "utf8"));
    if (report.seq > before.seq) return report;
    if (Date.now() > deadline) throw new Error("the probe did not answer");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `["Timeout", "Timeout", "TCPSocketWrap"]` → `{ Timeout: 2, TCPSocketWrap: 1 }` */
export function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
