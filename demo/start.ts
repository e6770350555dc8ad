/**
 * `npm start`: the Box emulator and Node-RED with this package, in one process, with a demo flow.
 * Node-RED's user directory is the git-ignored `.demo/` folder of the checkout, never ~/.node-red.
 */
import type { Request, Response } from "express";
import type { LocalSettings } from "@node-red/runtime";
import RED from "node-red";
import fs from "fs";
import http from "http";
import net from "net";
import path from "path";
import { DEMO_FOLDERS, seedDemoTree } from "../emulator/demo-tree";
import { startEmulator, type BoxEmulator } from "../emulator";
import { demoFlow } from "./flow";

const ROOT = path.resolve(__dirname, "../..");
const USER_DIR = path.join(ROOT, ".demo");
const HOST = "127.0.0.1";
const EDITOR_PORT = 1880;
const API_PORT = 8080;
const REALTIME_PORT = 8081;
const ENTERPRISE_ID = "100001";

function isPortBusy(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === "EADDRINUSE";
}

/** The emulator on 8080/8081, or on free ports when those are taken. */
async function emulator(): Promise<BoxEmulator> {
  const opts = { host: HOST, enterpriseId: ENTERPRISE_ID, positionFormat: "number" as const };
  let emu: BoxEmulator;
  try {
    emu = await startEmulator({ ...opts, apiPort: API_PORT, realtimePort: REALTIME_PORT });
  } catch (err) {
    if (!isPortBusy(err)) throw err;
    console.log(`Ports ${API_PORT}/${REALTIME_PORT} are busy: the emulator takes free ones.`);
    emu = await startEmulator({ ...opts, apiPort: 0, realtimePort: 0 });
  }
  seedDemoTree(emu.items);
  return emu;
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Makes the checkout an installed module of the demo user directory, the way `npm install <path>` links it. */
function prepareUserDir(apiUrl: string, clientId: string, clientSecret: string): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string };
  const link = path.join(USER_DIR, "node_modules", pkg.name);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  if (!fs.existsSync(link)) fs.symlinkSync(ROOT, link, "dir");
  fs.writeFileSync(
    path.join(USER_DIR, "package.json"),
    JSON.stringify({ name: "box-events-demo", private: true, dependencies: { [pkg.name]: `file:${ROOT}` } }, null, 2),
  );
  const { flows, credentials } = demoFlow(apiUrl, clientId, clientSecret);
  fs.writeFileSync(path.join(USER_DIR, "flows.json"), JSON.stringify(flows, null, 2));
  // credentialSecret is false below, so Node-RED reads (and writes) the demo's credentials in plain text.
  fs.writeFileSync(path.join(USER_DIR, "flows_cred.json"), JSON.stringify(credentials, null, 2));
}

async function main(): Promise<void> {
  const emu = await emulator();
  prepareUserDir(emu.apiUrl, emu.clientId, emu.clientSecret);

  const server = http.createServer((req, res) => {
    // Node-RED's express apps as plain handlers: the editor first, then the flows' HTTP endpoints
    RED.httpAdmin(req as Request, res as Response, () =>
      RED.httpNode(req as Request, res as Response, () => {
        res.statusCode = 404;
        res.end();
      }),
    );
  });
  RED.init(server, {
    userDir: USER_DIR,
    flowFile: "flows.json",
    credentialSecret: false,
    httpAdminRoot: "/",
    httpNodeRoot: "/api",
    uiHost: HOST,
    logging: { console: { level: "info", metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    functionExternalModules: false,
    // @types/node-red lags behind Node-RED 4: it wants uiPort (unused when embedding) and knows no tours
  } as unknown as LocalSettings);

  let port: number;
  try {
    port = await listen(server, EDITOR_PORT);
  } catch (err) {
    if (!isPortBusy(err)) throw err;
    console.log(`Port ${EDITOR_PORT} is busy: the editor takes a free one.`);
    port = await listen(server, 0);
  }
  await RED.start();

  const editorUrl = `http://${HOST}:${port}`;
  console.log(`
  Node-RED editor:  ${editorUrl}
  Box emulator API: ${emu.apiUrl}  (box-config "Box (emulator)": CCG, ${emu.clientId} / ${emu.clientSecret}, enterprise ${ENTERPRISE_ID})
  User directory:   ${USER_DIR}

  Open the editor, click the inject buttons and watch the events arrive in the debug sidebar.
  An event from the shell: curl -X POST ${emu.apiUrl}/_emulator/events -H 'content-type: application/json' -d '{"event_type":"ITEM_UPLOAD"}'
  A file into All Files/Invoices/2026: curl -X POST ${emu.apiUrl}/_emulator/items/files -H 'content-type: application/json' -d '{"name":"march.pdf","parent":"${DEMO_FOLDERS.invoices2026}"}'
  Press Ctrl+C to stop.
`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping…");
    // Node-RED first: its nodes close their long polls against the emulator before it goes away.
    RED.stop()
      .catch((err: unknown) => console.error(err))
      .then(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      )
      .then(() => emu.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    setTimeout(() => process.exit(1), 20_000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`demo: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
