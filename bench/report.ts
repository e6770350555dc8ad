import type { IdleResult } from "./idle";
import type { ContenderResult } from "./run-contenders";

const fmt = (n: number | undefined, digits = 2) => (n === undefined || !Number.isFinite(n) ? "n/a" : n.toFixed(digits));
const ratio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "n/a" : `${n.toFixed(2)}x`);
const int = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? "n/a" : Math.round(n).toLocaleString("en-US");

function delivery(r: ContenderResult): string {
  const problems: string[] = [];
  if (r.lost) problems.push(`LOST ${r.lost}`);
  if (r.duplicates) problems.push(`DUP ${r.duplicates}`);
  if (r.unexpected) problems.push(`UNEXPECTED ${r.unexpected}`);
  if (r.latency?.timeouts) problems.push(`${r.latency.timeouts} latency timeouts`);
  if (r.drain?.incomplete) problems.push(`${r.drain.incomplete} bursts incomplete`);
  return `${r.distinct}/${r.created}${problems.length ? ` ${problems.join(", ")}` : " exactly once"}`;
}

interface Row {
  cells: string[];
}

function rows(results: ContenderResult[]): { header: string[]; rows: Row[] } {
  const floor = results.find((r) => r.name === "floor");
  const header = [
    "contender",
    "p50 ms",
    "p90 ms",
    "p50 / floor",
    "req/event",
    "drain ev/s",
    "drain / floor",
    "cpu µs/ev",
    "received (distinct/created)",
  ];
  return {
    header,
    rows: results.map((r) => ({
      cells: r.failure
        ? [r.name, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", `NOT MEASURED: ${r.failure}`]
        : [
            r.name,
            fmt(r.latency?.p50),
            fmt(r.latency?.p90),
            ratio(floor?.latency && r.latency ? r.latency.p50 / floor.latency.p50 : undefined),
            fmt(r.latency?.requestsPerEvent, 1),
            int(r.drain?.rate),
            ratio(floor?.drain && r.drain ? r.drain.rate / floor.drain.rate : undefined),
            fmt(r.drain?.cpuMicrosPerEvent, 1),
            delivery(r),
          ],
    })),
  };
}

export function textTable(results: ContenderResult[]): string {
  const { header, rows: body } = rows(results);
  const all = [header, ...body.map((r) => r.cells)];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map((r) => line(r.cells))].join("\n");
}

export function markdownTable(results: ContenderResult[], idle?: IdleResult): string {
  const { header, rows: body } = rows(results);
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 || i === header.length - 1 ? "---" : "---:")).join("|")}|`,
  ];
  for (const r of body) lines.push(`| ${r.cells.join(" | ")} |`);
  if (idle)
    lines.push(
      "",
      `Idle: ${idle.nodes} box-events-in nodes holding long polls: ${fmt(idle.nodeRedPercent)}% of one core (Node-RED process; runtime alone ${fmt(idle.baselinePercent)}%; emulator in its own process).`,
    );
  return lines.join("\n");
}

export interface TargetLine {
  name: string;
  verdict: "PASS" | "MISS" | "n/a";
  detail: string;
}

export function targets(results: ContenderResult[], idle?: IdleResult): TargetLine[] {
  const get = (name: string) => results.find((r) => r.name === name && !r.failure);
  const floor = get("floor");
  const node = get("node");
  const sdk = get("sdk");
  const sdkWhy = results.find((r) => r.name === "sdk")?.failure;
  const lines: TargetLine[] = [];
  const check = (name: string, ok: boolean | undefined, detail: string, missing?: string) =>
    lines.push({
      name,
      verdict: ok === undefined ? "n/a" : ok ? "PASS" : "MISS",
      detail: ok === undefined ? (missing ?? "not measured") : detail,
    });

  const finite = <T extends { rate?: number; p50?: number }>(x: T | undefined) =>
    x && Number.isFinite(x.rate ?? x.p50) ? x : undefined;
  const nl = finite(node?.latency),
    fl = finite(floor?.latency),
    sl = finite(sdk?.latency);
  check(
    "node latency <= 1.5x floor (p50)",
    nl && fl ? nl.p50 <= 1.5 * fl.p50 : undefined,
    nl && fl ? `${fmt(nl.p50)} ms vs floor ${fmt(fl.p50)} ms = ${fmt(nl.p50 / fl.p50)}x` : "",
  );
  check(
    "node latency no worse than sdk (p50)",
    nl && sl ? nl.p50 <= sl.p50 : undefined,
    nl && sl ? `${fmt(nl.p50)} ms vs sdk ${fmt(sl.p50)} ms` : "",
    sdkWhy && `sdk not measured: ${sdkWhy}`,
  );
  const nd = finite(node?.drain),
    fd = finite(floor?.drain),
    sd = finite(sdk?.drain);
  check(
    "node drain >= 0.5x floor",
    nd && fd ? nd.rate >= 0.5 * fd.rate : undefined,
    nd && fd ? `${int(nd.rate)} vs floor ${int(fd.rate)} ev/s = ${fmt(nd.rate / fd.rate)}x` : "",
  );
  check(
    "node drain no slower than sdk",
    nd && sd ? nd.rate >= sd.rate : undefined,
    nd && sd ? `${int(nd.rate)} vs sdk ${int(sd.rate)} ev/s` : "",
    sdkWhy && `sdk not measured: ${sdkWhy}`,
  );
  check(
    "node delivers every event exactly once",
    node ? node.lost === 0 && node.duplicates === 0 : undefined,
    node ? delivery(node) : "",
  );
  if (idle) {
    check(
      `idle: ${idle.nodes} nodes well under 3% of one core`,
      idle.polling === idle.nodes ? idle.nodeRedPercent < 3 : false,
      `${fmt(idle.nodeRedPercent)}% (${idle.polling}/${idle.nodes} polling)`,
    );
  }
  return lines;
}
