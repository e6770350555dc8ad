import { ChildProcess, spawn } from "child_process";
import net from "net";

/** A throwaway `redis-server` on a free loopback port (nothing saved), for the coordination row of the bench. */
export class RedisChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<RedisChild> {
    const port = await freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    const failed = new Promise<never>((_, reject) => child.once("error", reject));
    const deadline = Date.now() + 10_000;
    while (!(await Promise.race([connects(port), failed]))) {
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    return new RedisChild(child, `redis://127.0.0.1:${port}`);
  }

  stop(): void {
    this.child.kill("SIGKILL");
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
