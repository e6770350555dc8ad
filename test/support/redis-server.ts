import { ChildProcess, execFileSync, spawn } from "child_process";
import net from "net";
import { freePort } from "./node-red-process";
import { tempDir } from "./temp-dir";

/** True when Debian's `redis-server` is installed (`.ci/run` installs it when missing). */
export function redisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface RedisServerOptions {
  /** Keep the data across a stop and start (append-only file in its own folder); otherwise nothing is saved. */
  persistent?: boolean;
  /** `requirepass`: clients must send this password. */
  password?: string;
}

/** A real `redis-server` on a free loopback port, for one test file. */
export class RedisServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  output = "";

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), tempDir("box-redis-"), options);
    await server.launch();
    return server;
  }

  /** `redis://` URL of this server (with the password when it has one). */
  get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : "";
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it again on the same port (and with the same data when persistent). */
  async launch(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", ""];
    args.push("--appendonly", this.options.persistent ? "yes" : "no", "--appendfsync", "always");
    if (this.options.password) args.push("--requirepass", this.options.password);
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = new Promise((resolve) => child.on("exit", () => resolve()));
    child.stdout?.on("data", (d) => (this.output += d.toString()));
    child.stderr?.on("data", (d) => (this.output += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!(await this.answers())) {
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${this.output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${this.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (!this.running) return;
    const killer = setTimeout(() => this.child?.kill("SIGKILL"), 10_000);
    this.child?.kill(signal);
    await this.exited;
    clearTimeout(killer);
  }

  /** True when a TCP connection to its port opens. */
  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
  }
}
