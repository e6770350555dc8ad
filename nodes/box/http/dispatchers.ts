import { Agent, Dispatcher, Pool, ProxyAgent } from "undici";
import { ProxySettings, proxyFor } from "./proxy-settings";

const AGENT_OPTIONS = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 1 } as const;

/** A tunnel the proxy would not open, or a proxy that hung up on the CONNECT: never retried by undici itself. */
export class ProxyRefusal extends Error {
  constructor(readonly refusal: number | "reset" | "unreachable") {
    super(`proxy refused: ${refusal}`);
    this.name = "ProxyRefusal";
  }
}

export interface Route {
  dispatcher: Dispatcher;
  /** The request goes through a proxy (so a transport failure is the proxy's). */
  proxied: boolean;
}

/**
 * The one place that builds undici dispatchers: straight out, or through the configured proxy (plain http
 * forwarded, https through a CONNECT tunnel, so the proxy never reads a token). TLS uses Node's default
 * trust store, which includes NODE_EXTRA_CA_CERTS. One set per owner, destroyed with it.
 */
export class Dispatchers {
  private direct?: Agent;
  private readonly proxies = new Map<string, ProxyAgent>();

  constructor(private readonly settings: ProxySettings) {}

  for(url: string): Route {
    // no proxy at all (the usual case): no URL to parse on every request
    const anyProxy = this.settings.httpProxy !== undefined || this.settings.httpsProxy !== undefined;
    const proxy = anyProxy ? proxyFor(this.settings, new URL(url)) : undefined;
    if (!proxy) return { dispatcher: (this.direct ??= new Agent(AGENT_OPTIONS)), proxied: false };
    let agent = this.proxies.get(proxy);
    if (!agent) {
      agent = new ProxyAgent({
        ...AGENT_OPTIONS,
        uri: proxy,
        token: this.settings.proxyAuthorization,
        // plain http is forwarded, not tunnelled: company proxies allow CONNECT to port 443 only
        proxyTunnel: false,
        clientFactory: tunnelClient,
      });
      this.proxies.set(proxy, agent);
    }
    return { dispatcher: agent, proxied: true };
  }

  async destroy(): Promise<void> {
    const all = [this.direct, ...this.proxies.values()];
    this.direct = undefined;
    this.proxies.clear();
    await Promise.all(all.map((dispatcher) => dispatcher?.destroy().catch(() => undefined)));
  }
}

type ConnectData = Dispatcher.ConnectData;

/**
 * The connection to the proxy that opens CONNECT tunnels. undici reconnects at once, again and again, when the
 * proxy hangs up on a CONNECT, and reports a refused tunnel as an abort; both become a ProxyRefusal here, which
 * fails the request so the stream can say so and back off.
 */
function tunnelClient(origin: URL, options: object): Dispatcher {
  const pool = new Pool(origin, options);
  const connect = pool.connect.bind(pool) as (options: Dispatcher.ConnectOptions) => Promise<ConnectData>;
  const checked = async (connectOptions: Dispatcher.ConnectOptions): Promise<ConnectData> => {
    let data: ConnectData;
    try {
      data = await connect(connectOptions);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "UND_ERR_ABORTED" || (connectOptions.signal as AbortSignal | undefined)?.aborted) throw err;
      throw new ProxyRefusal(code === "ECONNREFUSED" || code === "ENOTFOUND" ? "unreachable" : "reset");
    }
    if (data.statusCode !== 200) {
      data.socket.on("error", () => undefined).destroy();
      throw new ProxyRefusal(data.statusCode);
    }
    return data;
  };
  return Object.assign(pool, { connect: checked });
}
