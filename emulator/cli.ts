#!/usr/bin/env node
import fs from "fs";
import { DEMO_FOLDERS, seedDemoTree } from "./demo-tree";
import { startEmulator } from "./index";

const ENTERPRISE_ID = "100001";
const USAGE = `Usage: box-emulator [--port 8080] [--realtime-port 8081] [--host 127.0.0.1] [--positions number|string]
                    [--tls-key key.pem --tls-cert cert.pem]

Runs a local emulator of Box's event stream (events API, realtime long-poll server, client-credentials tokens)
so Node-RED flows can be tried offline. With --tls-key and --tls-cert the API is served over https.`;

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      args.set("help", "");
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument: ${arg}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    args.set(m[1], value);
  }
  return args;
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has("help")) {
    console.log(USAGE);
    return;
  }
  for (const key of args.keys()) {
    if (!["port", "realtime-port", "host", "positions", "tls-key", "tls-cert"].includes(key))
      throw new Error(`unknown option --${key}`);
  }
  const positions = args.get("positions") ?? "number";
  const [tlsKey, tlsCert] = [args.get("tls-key"), args.get("tls-cert")];
  if (!tlsKey !== !tlsCert) throw new Error("--tls-key and --tls-cert go together");
  if (positions !== "number" && positions !== "string") throw new Error("--positions must be number or string");

  const emu = await startEmulator({
    host: args.get("host") ?? "127.0.0.1",
    apiPort: port(args.get("port"), 8080, "port"),
    realtimePort: port(args.get("realtime-port"), 8081, "realtime-port"),
    positionFormat: positions,
    enterpriseId: ENTERPRISE_ID,
    tls:
      tlsKey && tlsCert ? { key: fs.readFileSync(tlsKey, "utf8"), cert: fs.readFileSync(tlsCert, "utf8") } : undefined,
  });
  seedDemoTree(emu.items);
  // the emulator's one user is the enterprise's admin: its token reads the enterprise streams too
  const token = emu.issueToken({ lifetimeSec: 24 * 3600, admin: true });
  console.log(`Box emulator running
  API URL (apiBaseUrl): ${emu.apiUrl}
  Realtime URL:         ${emu.realtimeUrl}
  Download host:        ${emu.downloadUrl}
  Developer token:      ${token}   (valid 24 h)
  CCG client id:        ${emu.clientId}
  CCG client secret:    ${emu.clientSecret}   (box_subject_type=enterprise, box_subject_id=${ENTERPRISE_ID})
  Create an event:      curl -X POST ${emu.apiUrl}/_emulator/events -H 'content-type: application/json' -d '{"event_type":"ITEM_UPLOAD"}'
  Upload a file:        curl -X POST ${emu.apiUrl}/_emulator/items/files -H 'content-type: application/json' -d '{"name":"march.pdf","parent":"${DEMO_FOLDERS.invoices2026}"}'
  Folders:              All Files/Invoices (${DEMO_FOLDERS.invoices}), All Files/Invoices/2026 (${DEMO_FOLDERS.invoices2026}), All Files/Reports (${DEMO_FOLDERS.reports})
  Enterprise event:     curl -X POST ${emu.apiUrl}/_emulator/enterprise-events -H 'content-type: application/json' -d '{"event_type":"FAILED_LOGIN"}'
Press Ctrl+C to stop.`);

  const stop = (): void => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    emu.close().then(
      () => console.log("Box emulator stopped."),
      (err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`box-emulator: ${(err as Error).message}`);
  process.exitCode = 1;
});
