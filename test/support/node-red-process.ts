import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import net from "net";
import path from "path";
import { tempDir } from "./temp-dir";
import { nodeRedRedJs } from "./node-red-version";

const PACKAGE_ROOT = path.resolve(__dirname, "../../..");
const PACKAGE_NAME: string = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")).name;

export interface NodeRedProcessOptions {
  /** Reuse a user directory (to restart with the same flows, credentials and context). */
  userDir?: string;
  flows?: object[];
  /** Extra lines for settings.js, e.g. `contextStorage: {...}`. */
  settings?: Record<string, unknown>;
  port?: number;
  /** Node-RED's red.js to run (defaults to the dev dependency, or the Node-RED that BOX_TEST_NODE_RED names). */
  redJs?: string;
  /** The node binary (defaults to this process's). */
  nodeBin?: string;
  env?: Record<string, string>;
  /** Options for the node binary itself, e.g. `--max-old-space-size=256` (a small device). */
  nodeArgs?: string[];
  /** Other Node-RED modules to install beside this package, linked from this checkout's node_modules (e.g. node-red-node-email). */
  modules?: string[];
}

/** A real Node-RED process, with this package installed into its user directory the way `npm install <checkout>` does (a link). */
export class NodeRedProcess {
  readonly userDir: string;
  readonly port: number;
  output = "";
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  private constructor(
    userDir: string,
    port: number,
    private readonly options: NodeRedProcessOptions,
  ) {
    this.userDir = userDir;
    this.port = port;
  }

  static async start(options: NodeRedProcessOptions = {}): Promise<NodeRedProcess> {
    const userDir = options.userDir ?? tempDir("box-nr-");
    const port = options.port ?? (await freePort());
    installPackage(userDir);
    for (const name of options.modules ?? []) linkModule(userDir, name);
    writeSettings(userDir, port, options.settings ?? {});
    if (options.flows) fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(options.flows, null, 2));
    const nr = new NodeRedProcess(userDir, port, options);
    await nr.launch();
    return nr;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Rewrites settings.js (the next start reads it), e.g. to set `credentialSecret` as a user would. */
  updateSettings(settings: Record<string, unknown>): void {
    writeSettings(this.userDir, this.port, settings);
  }

  /** The process id while it runs (to pause it with SIGSTOP). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async restart(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.stop(signal);
    await this.launch();
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const killer = setTimeout(() => this.child?.kill("SIGKILL"), 15_000);
    this.child.kill(signal);
    await this.exited;
    clearTimeout(killer);
  }

  /** Deploys flows through the admin API (`full` or `nodes`). */
  async deploy(flows: object[], type: "full" | "nodes" | "flows" = "full"): Promise<void> {
    const res = await fetch(`${this.url}/flows`, {
      method: "POST",
      headers: { "content-type": "application/json", "node-red-deployment-type": type },
      body: JSON.stringify(flows),
    });
    if (!res.ok) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
  }

  /** Waits for `pattern` in the output written after index `from` (default: all of it). */
  async waitForOutput(pattern: RegExp, timeoutMs = 20_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.slice(from).match(pattern);
      if (match) return match;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern} in Node-RED output:\n${this.output.slice(-3000)}`);
      if (this.child?.exitCode !== null) throw new Error(`Node-RED exited:\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async launch(): Promise<void> {
    const redJs = this.options.redJs ?? nodeRedRedJs();
    const from = this.output.length;
    const child = spawn(
      this.options.nodeBin ?? process.execPath,
      [...(this.options.nodeArgs ?? []), redJs, "--userDir", this.userDir, "--port", String(this.port)],
      {
        env: { ...process.env, NODE_RED_ENABLE_PROJECTS: "false", ...this.options.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdout?.on("data", (d) => (this.output += d.toString()));
    child.stderr?.on("data", (d) => (this.output += d.toString()));
    // this run's line (not one a previous run left in the output), in the runtime's language (`lang: "de"`)
    await this.waitForOutput(/Server now running at|Server wird jetzt auf|サーバは .* で実行中です/, 60_000, from);
    // Node-RED listens before it has loaded its flows and credentials: a deploy before that races the load
    await this.waitForOutput(FLOWS_LOADED, 60_000, from);
  }
}

/** "Started flows", or the flows wait for node types that are not installed (English or German runtime). */
const FLOWS_LOADED =
  /Started flows|Flows sind gestartet|フローを開始しました|Waiting for missing types|Warten auf Registrierung fehlender Typen|欠落しているノードが登録されるのを待っています/;

function installPackage(userDir: string): void {
  const scopeDir = path.join(userDir, "node_modules", path.dirname(PACKAGE_NAME));
  fs.mkdirSync(scopeDir, { recursive: true });
  const link = path.join(userDir, "node_modules", PACKAGE_NAME);
  if (!fs.existsSync(link)) fs.symlinkSync(PACKAGE_ROOT, link, "dir");
  const pkgFile = path.join(userDir, "package.json");
  if (!fs.existsSync(pkgFile)) {
    const pkg = { name: "node-red-project", private: true, dependencies: { [PACKAGE_NAME]: `file:${PACKAGE_ROOT}` } };
    fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  }
}

/** Installs a dev dependency into the user directory by a link, as `npm install` would put it there. */
function linkModule(userDir: string, name: string): void {
  const link = path.join(userDir, "node_modules", name);
  if (!fs.existsSync(link)) fs.symlinkSync(path.dirname(require.resolve(`${name}/package.json`)), link, "dir");
}

function writeSettings(userDir: string, port: number, extra: Record<string, unknown>): void {
  const settings = {
    uiHost: "127.0.0.1",
    uiPort: port,
    flowFile: "flows.json",
    credentialSecret: "test-credential-secret",
    logging: { console: { level: "info", metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    ...extra,
  };
  fs.writeFileSync(path.join(userDir, "settings.js"), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
