import fs from "fs";
import type { Node } from "node-red";
import os from "os";
import path from "path";

/** The package under test, as Node-RED finds it: linked into the user directory like `npm install <checkout>`. */
const PACKAGE_ROOT = path.resolve(__dirname, "../..");
const PACKAGE_NAME: string = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")).name;

/** The few runtime members the bench uses (node-red ships no typings). */
interface RedRuntime {
  init(settings: object): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  events: { once(event: string, listener: () => void): void };
  nodes: {
    getNode(id: string): Node | null;
    setFlows(flows: object[], credentials: object | null, type: string): Promise<unknown>;
  };
}

export interface FlowOptions {
  apiUrl: string;
  token: string;
  /** how many box-events-in nodes, all sharing one box-config */
  count: number;
  /** wire them to a sink node the bench listens on */
  sink: boolean;
  /** the stream type of node `i` (default "all") */
  streamType?: (i: number) => "all" | "changes";
  /** limit the nodes to this folder (with its subfolders) */
  folderId?: string;
  /** prefix of every node id, so that two flows can run in one runtime */
  idPrefix?: string;
  /** coordination: the box-config's Redis URL */
  redisUrl?: string;
  /** `ack: "flow"` with this `maxInFlight`, and a box-events-ack node (`bench-ack`) the bench hands each message the sink got */
  ack?: number;
}

export const SINK_ID = "bench-sink";
export const ACK_ID = "bench-ack";
/** @node-red/util log levels: fatal 10, error 20, warn 30, info 40 */
const WARN_LEVEL = 30;
/** start-up warnings that the bench's settings cause on purpose */
const BENIGN = /Projects disabled|unencrypted credentials/;

/**
 * A real Node-RED 4 runtime in this process (no editor, no HTTP), so nothing sits between the node and
 * the runtime that a user's Node-RED would not have. node-red-node-test-helper wraps Node.prototype
 * send/status/error in sinon spies that record every call, which would tax the node per message.
 * Node-RED can be started once per process.
 */
export class NodeRedRuntime {
  /** Node-RED's own warnings and errors, including those the nodes log with node.warn/node.error. */
  readonly log: string[] = [];
  private readonly red: RedRuntime;
  private readonly userDir: string;

  private constructor(red: RedRuntime, userDir: string) {
    this.red = red;
    this.userDir = userDir;
  }

  static async start(): Promise<NodeRedRuntime> {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "box-bench-nr-"));
    const scopeDir = path.join(userDir, "node_modules", path.dirname(PACKAGE_NAME));
    fs.mkdirSync(scopeDir, { recursive: true });
    fs.symlinkSync(PACKAGE_ROOT, path.join(userDir, "node_modules", PACKAGE_NAME), "dir");
    fs.writeFileSync(path.join(userDir, "flows.json"), "[]");

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const red: RedRuntime = require("node-red");
    const runtime = new NodeRedRuntime(red, userDir);
    red.init({
      userDir,
      flowFile: "flows.json",
      credentialSecret: false,
      httpAdminRoot: false,
      httpNodeRoot: false,
      disableEditor: true,
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      telemetry: { enabled: false },
      diagnostics: { enabled: false },
      logging: {
        bench: {
          level: "info",
          metrics: false,
          audit: false,
          handler: () => (msg: { level: number; type?: string; id?: string; msg: unknown }) => {
            const text =
              typeof msg.msg === "string"
                ? msg.msg
                : msg.msg instanceof Error
                  ? msg.msg.message
                  : JSON.stringify(msg.msg);
            // warnings and errors, and the info lines that name node types that failed to load
            if (msg.level > WARN_LEVEL && !/missing|^ - /i.test(text)) return;
            if (BENIGN.test(text)) return;
            runtime.log.push(`${msg.type ?? "runtime"}${msg.id ? `:${msg.id}` : ""} ${text}`);
          },
        },
      },
    });
    // start() resolves before the (empty) flow file is loaded; a deploy in between would lose its credentials
    const loaded = runtime.flowsStarted();
    await red.start();
    await loaded;
    return runtime;
  }

  /** Full deploy (or with `nodes`: only new and changed nodes start); resolves once the flows have started. */
  async deploy({ flow, credentials }: BenchFlow, type: "full" | "nodes" = "full"): Promise<void> {
    const started = this.flowsStarted();
    await this.red.nodes.setFlows(flow, credentials, type);
    await started;
  }

  private flowsStarted(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Node-RED flows did not start within 30 s; log: ${this.log.slice(-6).join(" | ")}`)),
        30_000,
      );
      this.red.events.once("flows:started", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  getNode(id: string): Node | null {
    return this.red.nodes.getNode(id);
  }

  async stop(): Promise<void> {
    await this.red.stop();
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}

/**
 * One box-config (developer token against the emulator) and `count` box-events-in nodes starting at
 * "now". The sink is a `comment` node: a core type whose constructor registers no input handler, the same
 * do-nothing node as the test helper's "helper" node; the bench adds the only input listener.
 */
export interface BenchFlow {
  flow: object[];
  /** by node id, as the editor's deploy sends them */
  credentials: Record<string, Record<string, string>>;
}

export function benchFlow(opts: FlowOptions): BenchFlow {
  const p = opts.idPrefix ?? "";
  const flow: object[] = [
    { id: `${p}bench-tab`, type: "tab", label: `${p}bench` },
    {
      id: `${p}bench-box`,
      type: "box-config",
      name: "emulator",
      authType: "developerToken",
      apiBaseUrl: opts.apiUrl,
    },
  ];
  for (let i = 0; i < opts.count; i++) {
    flow.push({
      id: `${p}bench-in-${i}`,
      type: "box-events-in",
      z: `${p}bench-tab`,
      x: 120,
      y: 40 + 40 * i,
      name: `in ${i}`,
      box: `${p}bench-box`,
      streamType: opts.streamType?.(i) ?? "all",
      startFrom: "now",
      position: "",
      resume: true,
      eventTypes: "",
      folderId: opts.folderId ?? "",
      includeSubfolders: true,
      ...(opts.ack ? { ack: "flow", maxInFlight: opts.ack } : {}),
      wires: opts.sink ? [[p + SINK_ID]] : [[]],
    });
  }
  if (opts.ack) flow.push({ id: p + ACK_ID, type: "box-events-ack", z: `${p}bench-tab`, x: 400, y: 80, wires: [] });
  if (opts.sink)
    flow.push({
      id: p + SINK_ID,
      type: "comment",
      z: `${p}bench-tab`,
      x: 400,
      y: 40,
      name: "sink",
      info: "",
      wires: [],
    });
  const credentials: Record<string, string> = { accessToken: opts.token };
  if (opts.redisUrl) credentials.redisUrl = opts.redisUrl;
  return { flow, credentials: { [`${p}bench-box`]: credentials } };
}
