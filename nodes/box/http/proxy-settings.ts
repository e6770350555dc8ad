import { BoxError } from "../errors";
import { reason } from "../reasons";

/** Which proxy a request takes: one per URL scheme, skipped for hosts on the no-proxy list. */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: NoProxyRule[];
  /** `Proxy-Authorization` for every proxy request (from an `http proxy` node's credentials). */
  proxyAuthorization?: string;
}

export interface NoProxyRule {
  /** Lower-case host or domain, without a leading `.` or `*.` */
  host: string;
  /** 0: any port */
  port: number;
}

/** What a core `http proxy` config node holds (Node-RED's own `noproxy` list and credentials). */
export interface ProxyConfigNode {
  url?: string;
  noproxy?: string[];
  credentials?: { username?: string; password?: string };
}

export const NO_PROXY: ProxySettings = { noProxy: [] };

/**
 * The proxy from the environment, as Node-RED's core HTTP request node reads it: `http_proxy` for http,
 * `https_proxy` (else `http_proxy`) for https, `no_proxy`; lower case first, then upper case.
 */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const read = (name: string) => {
    const lower = env[name]?.trim();
    return lower ? { name, value: lower } : { name: name.toUpperCase(), value: env[name.toUpperCase()]?.trim() };
  };
  const http = read("http_proxy");
  const https = read("https_proxy");
  return {
    httpProxy: checkedProxyUrl(http.value, http.name),
    httpsProxy: checkedProxyUrl(https.value, https.name) ?? checkedProxyUrl(http.value, http.name),
    noProxy: parseNoProxy(read("no_proxy").value ?? ""),
  };
}

/** The proxy an `http proxy` config node names: the same proxy for http and https, its own no-proxy list. */
export function proxyFromConfigNode(node: ProxyConfigNode): ProxySettings {
  const url = checkedProxyUrl(node.url, "http proxy");
  if (!url) throw new BoxError("config", reason("invalidProxyUrl", { source: "http proxy" }));
  const { username = "", password = "" } = node.credentials ?? {};
  return {
    httpProxy: url,
    httpsProxy: url,
    noProxy: parseNoProxy((node.noproxy ?? []).join(",")),
    proxyAuthorization:
      username || password ? `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` : undefined,
  };
}

/** The proxy URL for this request URL, or undefined to go direct. */
export function proxyFor(settings: ProxySettings, url: URL): string | undefined {
  const proxy = url.protocol === "https:" ? settings.httpsProxy : settings.httpProxy;
  if (!proxy) return undefined;
  const host = unbracketed(url.hostname.toLowerCase());
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const bypass = settings.noProxy.some(
    (rule) =>
      (rule.port === 0 || rule.port === port) &&
      (rule.host === "*" || host === rule.host || host.endsWith(`.${rule.host}`)),
  );
  return bypass ? undefined : proxy;
}

/** `no_proxy` as curl and undici read it: comma or space separated hosts, `.domain` suffixes, `host:port`, `*`. */
export function parseNoProxy(value: string): NoProxyRule[] {
  return value
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((entry) => {
      // a bare IPv6 address has colons but no port: `::1`; with a port it is written `[::1]:8080`
      const withPort =
        entry.indexOf(":") === entry.lastIndexOf(":") || entry.startsWith("[") ? /^(.+):(\d+)$/.exec(entry) : null;
      const host = unbracketed((withPort ? withPort[1] : entry).toLowerCase());
      return { host: host === "*" ? host : host.replace(/^\*?\./, ""), port: withPort ? Number(withPort[2]) : 0 };
    });
}

function unbracketed(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1");
}

/**
 * A proxy URL as users write it (`proxy:3128` means `http://proxy:3128`). A bad one is a config error that
 * names where it came from, never the URL itself: it may hold the proxy's password.
 */
function checkedProxyUrl(raw: string | undefined, where: string): string | undefined {
  if (!raw) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const url = new URL(withScheme);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.hostname) return url.href;
  } catch {
    // reported below
  }
  throw new BoxError("config", reason("invalidProxyUrl", { source: where }));
}
