import type { IdleResult } from "./idle";
import type { RateLimitResult } from "./rate-limit";
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
  const sdk = results.find((r) => r.name === "sdk");
  const header = [
    "contender",
    "p50 ms",
    "p90 ms",
    "p50 / floor",
    "req/event",
    "drain ev/s",
    "drain / floor",
    "drain / sdk",
    "drain req/1k ev",
    "cpu µs/ev",
    "received (distinct/created)",
  ];
  return {
    header,
    rows: results.map((r) => ({
      cells: r.failure
        ? [r.name, ...header.slice(1, -1).map(() => "n/a"), `NOT MEASURED: ${r.failure}`]
        : [
            r.name,
            fmt(r.latency?.p50),
            fmt(r.latency?.p90),
            ratio(floor?.latency && r.latency ? r.latency.p50 / floor.latency.p50 : undefined),
            fmt(r.latency?.requestsPerEvent, 1),
            int(r.drain?.rate),
            ratio(floor?.drain && r.drain ? r.drain.rate / floor.drain.rate : undefined),
            ratio(sdk?.drain && r.drain ? r.drain.rate / sdk.drain.rate : undefined),
            fmt(r.drain?.requestsPer1000, 1),
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

/** One sentence on the rate-limit run, for the console and the README. */
export function rateLimitLine(r: RateLimitResult): string {
  return (
    `Rate limit, ${r.nodes} box-events-in nodes on one box-config, one fetch answered 429 with retry-after: ${r.retryAfterSec} s: ` +
    `${r.inWindow} API requests inside the window although ${r.woken} more nodes had news to fetch in it; ` +
    `the first API request ${fmt(r.firstAfterMs / 1000)} s after the 429, then ${r.resumeRequests} requests spread over ` +
    `${fmt(r.resumeSpreadMs / 1000)} s; ${r.delivered}/${r.expected} messages delivered.`
  );
}

export function markdownTable(results: ContenderResult[], idle?: IdleResult, rateLimit?: RateLimitResult): string {
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
  if (rateLimit) lines.push("", rateLimitLine(rateLimit));
  return lines.join("\n");
}

export interface TargetLine {
  name: string;
  verdict: "PASS" | "MISS" | "n/a";
  detail: string;
}

export function targets(results: ContenderResult[], idle?: IdleResult, rateLimit?: RateLimitResult): TargetLine[] {
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
    "node requests per single event <= sdk",
    nl && sl ? nl.requestsPerEvent <= sl.requestsPerEvent : undefined,
    nl && sl ? `${fmt(nl.requestsPerEvent)} vs sdk ${fmt(sl.requestsPerEvent)}` : "",
    sdkWhy && `sdk not measured: ${sdkWhy}`,
  );
  check(
    "node latency <= 1.1x floor (p50)",
    nl && fl ? nl.p50 <= 1.1 * fl.p50 : undefined,
    nl && fl ? `${fmt(nl.p50)} ms vs floor ${fmt(fl.p50)} ms = ${fmt(nl.p50 / fl.p50)}x` : "",
  );
  check(
    "node latency no worse than sdk (p50)",
    nl && sl ? nl.p50 <= sl.p50 : undefined,
    nl && sl ? `${fmt(nl.p50)} ms vs sdk ${fmt(sl.p50)} ms` : "",
    sdkWhy && `sdk not measured: ${sdkWhy}`,
  );
  const scoped = finite(get("folder")?.latency);
  check(
    "folder-scoped node latency <= 1.2x node (p50)",
    scoped && nl ? scoped.p50 <= 1.2 * nl.p50 : undefined,
    scoped && nl ? `${fmt(scoped.p50)} ms vs node ${fmt(nl.p50)} ms = ${fmt(scoped.p50 / nl.p50)}x` : "",
  );
  const nd = finite(node?.drain),
    fd = finite(floor?.drain),
    sd = finite(sdk?.drain);
  check(
    "node drain >= 0.9x floor",
    nd && fd ? nd.rate >= 0.9 * fd.rate : undefined,
    nd && fd ? `${int(nd.rate)} vs floor ${int(fd.rate)} ev/s = ${fmt(nd.rate / fd.rate)}x` : "",
  );
  check(
    "node drain >= 1.5x sdk",
    nd && sd ? nd.rate >= 1.5 * sd.rate : undefined,
    nd && sd ? `${int(nd.rate)} vs sdk ${int(sd.rate)} ev/s = ${fmt(nd.rate / sd.rate)}x` : "",
    sdkWhy && `sdk not measured: ${sdkWhy}`,
  );
  for (const [name, maxInFlight] of [
    ["ack", 100],
    ["ack500", 500],
  ] as const) {
    const ad = finite(get(name)?.drain);
    check(
      `ack: flow (maxInFlight ${maxInFlight}) drain >= 0.85x node (default ack: delivered)`,
      ad && nd ? ad.rate >= 0.85 * nd.rate : undefined,
      ad && nd
        ? `${int(ad.rate)} vs node ${int(nd.rate)} ev/s = ${fmt(ad.rate / nd.rate)}x; cpu µs/ev ${fmt(ad.cpuMicrosPerEvent)} vs ${fmt(nd.cpuMicrosPerEvent)} = ${fmt(ad.cpuMicrosPerEvent / nd.cpuMicrosPerEvent)}x`
        : "",
    );
  }
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
  if (rateLimit) {
    check(
      `rate limit: no API request from ${rateLimit.nodes} nodes inside the retry-after window, then all resume`,
      rateLimit.inWindow === 0 && rateLimit.delivered === rateLimit.expected,
      `${rateLimit.inWindow} requests in ${rateLimit.retryAfterSec} s; ${rateLimit.delivered}/${rateLimit.expected} delivered`,
    );
  }
  return lines;
}
