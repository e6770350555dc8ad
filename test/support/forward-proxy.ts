import http, { IncomingMessage, ServerResponse } from "http";
import https from "https";
import net, { AddressInfo, Socket } from "net";

export interface ForwardProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these; anything else is answered 407. */
  auth?: { username: string; password: string };
  /** Listen for https (a proxy URL `https://...`) with this PEM key and certificate. */
  tls?: { key: string; cert: string };
}

/** How the proxy answers: pass traffic on, refuse every request with a status, or reset every connection. */
export type ProxyMode = { refuse: number } | "reset" | "forward";

export interface ForwardedRequest {
  kind: "connect" | "http";
  /** `host:port` of a tunnel, or the absolute URL of a plain request. */
  target: string;
  /** The request's headers exactly as the proxy read them (a tunnel's are only the CONNECT's). */
  headers: IncomingMessage["headers"];
}

const HOP_BY_HOP = ["proxy-authorization", "proxy-connection", "connection", "keep-alive", "te", "trailer", "upgrade"];

/**
 * A real forward proxy on loopback, as a company runs one: plain http requests are forwarded (absolute URI),
 * https goes through CONNECT tunnels the proxy cannot read. It remembers what it forwarded and the local
 * ports of its connections onward, so a test can prove that every request the emulator saw came through it.
 */
export class ForwardProxy {
  readonly forwarded: ForwardedRequest[] = [];
  /** Local ports of the proxy's own connections to the target: what the target sees as the client port. */
  readonly upstreamPorts = new Set<number>();
  mode: ProxyMode = "forward";
  /** Connections clients opened to the proxy. */
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;

  private constructor(private readonly options: ForwardProxyOptions) {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res);
    this.server = options.tls ? https.createServer(options.tls, onRequest) : http.createServer(onRequest);
    this.server.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.onConnect(req, socket, head),
    );
    this.server.on(this.options.tls ? "secureConnection" : "connection", (socket: Socket) => {
      this.connections++;
      this.track(socket);
    });
  }

  static async start(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
    const proxy = new ForwardProxy(options);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  /** Connections open right now, to clients and onward. */
  get openSockets(): number {
    return this.sockets.size;
  }

  get url(): string {
    return `${this.options.tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
  }

  /** The answer when the proxy does not pass the request on, or undefined when it does. */
  private refusal(req: IncomingMessage): { status: number; headers?: Record<string, string> } | "reset" | undefined {
    if (this.mode === "reset") return "reset";
    if (this.mode !== "forward") return { status: this.mode.refuse };
    const { auth } = this.options;
    if (!auth) return undefined;
    const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
    if (req.headers["proxy-authorization"] === expected) return undefined;
    return { status: 407, headers: { "proxy-authenticate": 'Basic realm="test proxy"' } };
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.refusal(req);
    if (refusal === "reset") return void req.socket.destroy();
    if (refusal) return void res.writeHead(refusal.status, { ...refusal.headers, "content-length": 0 }).end();
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      return void res.writeHead(400, { "content-length": 0 }).end();
    }
    this.forwarded.push({ kind: "http", target: target.href, headers: req.headers });
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const onward = http.request({
      host: target.hostname,
      port: target.port || 80,
      method: req.method,
      path: target.pathname + target.search,
      headers,
      agent: false,
    });
    onward.on("socket", (socket: Socket) => socket.on("connect", () => this.upstreamPorts.add(socket.localPort ?? 0)));
    onward.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    onward.on("error", () => res.destroy());
    res.on("close", () => onward.destroy());
    req.pipe(onward);
  }

  private onConnect(req: IncomingMessage, client: Socket, head: Buffer): void {
    const refusal = this.refusal(req);
    if (refusal === "reset") return void client.destroy();
    if (refusal) {
      const extra = Object.entries(refusal.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`);
      return void client.end(`HTTP/1.1 ${refusal.status} Refused\r\n${extra.join("")}content-length: 0\r\n\r\n`);
    }
    const [host, port] = splitHostPort(req.url ?? "");
    this.forwarded.push({ kind: "connect", target: req.url ?? "", headers: req.headers });
    const onward = net.connect(port, host, () => {
      this.upstreamPorts.add(onward.localPort ?? 0);
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) onward.write(head);
      onward.pipe(client);
      client.pipe(onward);
    });
    this.track(onward);
    onward.on("error", () => client.destroy());
    client.on("close", () => onward.destroy());
  }
}

function splitHostPort(authority: string): [string, number] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
  return match ? [match[1], Number(match[2])] : [authority, 443];
}
