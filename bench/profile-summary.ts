/**
 * `node dist/bench/profile-summary.js <file.cpuprofile> [top]`: where a CPU profile's time went, by area
 * (the box nodes, Node-RED, undici, the emulator, ...) and by function. Time spent in native or Node.js
 * internal frames (JSON.parse, setImmediate, streams) is charged to the nearest package frame above it.
 */
import fs from "fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const AREAS: [RegExp, string][] = [
  [/\/dist\/nodes\//, "box nodes (dist/nodes)"],
  [/\/dist\/emulator\//, "emulator"],
  [/\/dist\/bench\//, "bench"],
  [/node_modules\/@node-red\/|node_modules\/node-red\//, "node-red"],
  [/node_modules\/undici\//, "undici"],
  [/node_modules\/box-node-sdk\//, "box-node-sdk"],
  [
    /node_modules\/(node-fetch|proxy-agent|agent-base|http-proxy-agent|https-proxy-agent|pac-proxy-agent)\//,
    "sdk http stack",
  ],
  [/node_modules\//, "other packages"],
];

export function area(url: string, name: string): string | undefined {
  if (!url) return name.startsWith("(") ? name : undefined;
  for (const [re, label] of AREAS) if (re.test(url)) return label;
  return undefined; // node: internals and other runtime code: charged to the caller
}

export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const areaTime = new Map<string, number>();
  const fnTime = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    let node = byId.get(id);
    const leaf = node;
    let label: string | undefined;
    while (node && !(label = area(node.callFrame.url, node.callFrame.functionName)))
      node = byId.get(parent.get(node.id) ?? -1);
    label ??= "node internals (no package caller)";
    areaTime.set(label, (areaTime.get(label) ?? 0) + dt);
    const frame = node ?? leaf;
    if (frame && label !== "(idle)") {
      const file = frame.callFrame.url.replace(/^.*\/(node_modules\/)?/, "").replace(/^file:\/\//, "");
      const key =
        `${frame.callFrame.functionName || "(anonymous)"} ${file}:${frame.callFrame.lineNumber + 1}` +
        (leaf && leaf !== frame ? ` <- ${leaf.callFrame.functionName || "(anonymous)"}` : "");
      fnTime.set(key, (fnTime.get(key) ?? 0) + dt);
    }
  });
  const busy = total - (areaTime.get("(idle)") ?? 0);
  const pct = (us: number, of: number) => `${((us / of) * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `profile: ${(total / 1000).toFixed(0)} ms, busy ${(busy / 1000).toFixed(0)} ms`,
    "",
    "by area (share of busy time):",
  ];
  for (const [label, us] of [...areaTime].sort((a, b) => b[1] - a[1])) {
    if (label !== "(idle)") lines.push(`  ${pct(us, busy)}  ${(us / 1000).toFixed(1).padStart(8)} ms  ${label}`);
  }
  lines.push(
    "",
    `top ${top} frames (self time, natives charged to the package frame that called them; "<- x" names the native/internal leaf):`,
  );
  for (const [key, us] of [...fnTime].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(us, busy)}  ${key}`);
  return lines.join("\n");
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]");
    process.exit(2);
  }
  console.log(summarize(JSON.parse(fs.readFileSync(file, "utf8")) as Profile, Number(top ?? 25)));
}
