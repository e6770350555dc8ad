import { createServer, IncomingMessage, Server, ServerResponse } from "http";
import { AddressInfo, Socket } from "net";

export interface HostileRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Answers one route; return false to fall through to the default answer. */
export type HostileRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => void | false;

export interface HostileRoutes {
  /** `GET /2.0/events` */
  events?: HostileRoute;
  /** `OPTIONS /2.0/events` */
  options?: HostileRoute;
  /** the realtime URL the default OPTIONS answer points at */
  realtime?: HostileRoute;
  /** anything else */
  other?: HostileRoute;
}

/**
 * A small server that says what the emulator never would: huge or dripping bodies, odd positions, junk
 * entries. By default it behaves like an empty Box account (position 100, realtime polls held open), and it
 * records every request with its headers and body, so a test can show what was sent to it.
 */
export class HostileBox {
  readonly requests: HostileRequest[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly routes: HostileRoutes,
  ) {}

  static async start(routes: HostileRoutes = {}): Promise<HostileBox> {
    const server = createServer();
    const box = new HostileBox(server, routes);
    server.on("connection", (socket) => {
      box.sockets.add(socket);
      socket.on("close", () => box.sockets.delete(socket));
    });
    server.on("request", (req, res) => box.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return box;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  requestsTo(path: string): HostileRequest[] {
    return this.requests.filter((r) => r.path.split("?")[0] === path);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", this.url);
      this.requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const route =
        url.pathname === "/2.0/events"
          ? req.method === "OPTIONS"
            ? this.routes.options
            : this.routes.events
          : url.pathname === "/realtime"
            ? this.routes.realtime
            : this.routes.other;
      if (route?.(req, res, url) === false || !route) this.answerDefault(req, res, url);
    });
  }

  private answerDefault(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (url.pathname === "/2.0/events" && req.method === "OPTIONS") {
      return json(res, 200, {
        chunk_size: 1,
        entries: [
          {
            type: "realtime_server",
            url: `${this.url}/realtime?channel=1`,
            ttl: "10",
            max_retries: "10",
            retry_timeout: 610,
          },
        ],
      });
    }
    if (url.pathname === "/2.0/events") {
      const from = url.searchParams.get("stream_position");
      return json(res, 200, {
        chunk_size: 0,
        next_stream_position: from === "now" || !from ? "100" : from,
        entries: [],
      });
    }
    if (url.pathname === "/realtime") return; // held open until the client gives up or the server closes
    json(res, 404, { type: "error", status: 404, code: "not_found" });
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Streams `totalBytes` of a never-ending JSON string (no content-length) in 1 MiB chunks, as fast as the
 * client reads, and stops when the client hangs up. Resolves with the bytes written.
 */
export function streamHuge(res: ServerResponse, totalBytes: number): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"message":"');
  let written = 0;
  return new Promise((resolve) => {
    const finish = () => resolve(written);
    res.on("close", finish);
    const pump = () => {
      while (written < totalBytes && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      if (!res.destroyed) res.end('"}');
    };
    pump();
  });
}

/** Sends headers, then one byte every `everyMs` until the client hangs up: no timeout between chunks ever fires. */
export function drip(res: ServerResponse, everyMs: number): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.write("{");
  const timer = setInterval(() => res.write(" "), everyMs);
  res.on("close", () => clearInterval(timer));
}
