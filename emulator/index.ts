import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import { createServer as createTlsServer } from "https";
import { URL } from "url";
import type { EmulatorContext } from "./context";
import { handleBoxApi, apiFaultTarget } from "./api-server";
import { handleControl } from "./control-api";
import { DownloadTickets, handleDownload } from "./download-host";
import { EventFactory } from "./event-defaults";
import { EnterpriseLog } from "./enterprise-log";
import { EventLog } from "./event-log";
import { FaultQueue } from "./faults";
import { ItemActivity } from "./item-activity";
import { ItemTree } from "./item-tree";
import { closeServer, listen, sendBoxError, trackSockets } from "./http-util";
import { RealtimeHub, handleRealtimeRequest } from "./realtime";
import { AuthState, createJwtApp } from "./oauth";
import { TokenStore } from "./tokens";
import type { BoxEmulator } from "./box-emulator";
import type { Account, BoxEvent, EmulatorOptions, Quirks, RequestRecord, Settings } from "./types";

export type { JwtApp, TokenRequestStats } from "./oauth";
export type { ItemActivity, ItemEventSpec, SourceShape } from "./item-activity";
export type { ItemAccess, ItemRef, ItemTree, TreeFile, TreeFolder, TreeItem } from "./item-tree";
export type { BoxEmulator } from "./box-emulator";
export type { BoxEvent, EmulatorOptions, Fault, FaultTarget, Quirks, RequestRecord } from "./types";

export const DEFAULT_POSITION_BASE = "1152922976252290886";

function applyQuirks(s: Settings, q: Quirks): void {
  const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
  if (typeof q.duplicatePages === "boolean") s.duplicatePages = q.duplicatePages;
  if (typeof q.shortPages === "boolean") s.shortPages = q.shortPages;
  if (q.positionFormat === "number" || q.positionFormat === "string") s.positionFormat = q.positionFormat;
  if (num(q.realtimeTimeoutMs)) s.realtimeTimeoutMs = q.realtimeTimeoutMs;
  if (num(q.retryTimeout)) s.retryTimeout = q.retryTimeout;
  if (num(q.maxRetries)) s.maxRetries = q.maxRetries;
  if (num(q.tokenLifetimeSec)) s.tokenLifetimeSec = q.tokenLifetimeSec;
}

function settingsFrom(opts: EmulatorOptions): Settings {
  return {
    positionFormat: opts.positionFormat ?? "number",
    realtimeTimeoutMs: opts.realtimeTimeoutMs ?? 30_000,
    retryTimeout: opts.retryTimeout ?? 610,
    maxRetries: opts.maxRetries ?? 10,
    ttl: opts.ttl ?? 10,
    optionsNumbersAsStrings: opts.optionsNumbersAsStrings ?? true,
    tokenLifetimeSec: opts.tokenLifetimeSec ?? 3600,
    duplicatePages: false,
    shortPages: false,
  };
}

function accountFrom(opts: EmulatorOptions): Account {
  return {
    clientId: opts.clientId ?? "demo-client-id",
    clientSecret: opts.clientSecret ?? "demo-client-secret",
    enterpriseId: opts.enterpriseId ?? "100001",
    userId: opts.userId ?? "200002",
  };
}

/** The three servers (API, realtime, download host) and their open sockets (closed with the emulator). */
interface Servers {
  api: Server;
  realtime: Server;
  download: Server;
  apiSockets: ReturnType<typeof trackSockets>;
  realtimeSockets: ReturnType<typeof trackSockets>;
  downloadSockets: ReturnType<typeof trackSockets>;
}

function createServers(opts: EmulatorOptions): Servers {
  // Box's API is https and its realtime server plain http: with `tls`, the emulator is the same
  const api = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }) : createServer();
  const realtime = createServer();
  const download = createServer();
  return {
    api,
    realtime,
    download,
    apiSockets: trackSockets(api),
    realtimeSockets: trackSockets(realtime),
    downloadSockets: trackSockets(download),
  };
}

/** The URLs the servers answer on, known once they listen. */
interface Urls {
  apiUrl: string;
  realtimeUrl: string;
  downloadUrl: string;
}

/** Everything the routes share, with the realtime and download URLs filled in once their servers listen. */
function createContext(opts: EmulatorOptions, servers: Servers, urls: () => Urls): EmulatorContext {
  const settings = settingsFrom(opts);
  const account = accountFrom(opts);
  const log = new EventLog(BigInt(opts.positionBase ?? DEFAULT_POSITION_BASE), opts.retentionEvents);
  const hub = new RealtimeHub(log, () => settings);
  const factory = new EventFactory(account.userId);
  const requests: RequestRecord[] = [];
  const appendEvents = (partials: Partial<BoxEvent>[]): BoxEvent[] => {
    const batch = partials.map((partial) => factory.build(partial));
    log.append(batch);
    hub.notify();
    return batch;
  };
  const createEvents = (count: number, partial?: Partial<BoxEvent>): BoxEvent[] =>
    appendEvents(Array.from({ length: count }, () => partial ?? {}));
  const enterprise = new EnterpriseLog();
  return {
    account,
    log,
    enterprise,
    createEnterpriseEvents: (count, partial) => enterprise.create(count, partial),
    factory,
    hub,
    items: new ItemActivity(new ItemTree(account.userId), appendEvents, account.userId),
    requests,
    tokens: new TokenStore(),
    auth: new AuthState(account.clientId, account.clientSecret),
    faults: new FaultQueue(),
    downloads: new DownloadTickets(() => urls().downloadUrl),
    realtimeUrl: () => urls().realtimeUrl,
    settings: () => settings,
    setQuirks: (q) => applyQuirks(settings, q),
    createEvents,
    stats: () => ({
      events: log.all().length,
      openConnections: servers.apiSockets.size + servers.realtimeSockets.size + servers.downloadSockets.size,
      heldPolls: hub.held(),
      requests: requests.length,
    }),
  };
}

function record(ctx: EmulatorContext, server: RequestRecord["server"], req: IncomingMessage): void {
  const rec: RequestRecord = { server, method: req.method ?? "GET", path: req.url ?? "/", at: Date.now() };
  if (req.headers.authorization !== undefined) rec.authorization = req.headers.authorization;
  if (req.headers["proxy-authorization"] !== undefined) rec.proxyAuthorization = true;
  if (typeof req.headers["as-user"] === "string") rec.asUser = req.headers["as-user"];
  rec.remotePort = req.socket.remotePort;
  ctx.requests.push(rec);
}

/** Runs a route; whatever it throws becomes a 500 in Box's error format. */
function guard(handler: () => Promise<void> | void, res: ServerResponse): void {
  Promise.resolve()
    .then(handler)
    .catch((err: unknown) => sendBoxError(res, 500, `Emulator error: ${(err as Error).message}`));
}

function routeApi(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): void {
  record(ctx, "api", req);
  const url = new URL(req.url ?? "/", "http://emulator");
  // Control routes are never faulted: the demo and tests must be able to steer the emulator mid-fault.
  if (url.pathname.startsWith("/_emulator/")) return guard(() => handleControl(ctx, req, res, url), res);
  const fault = ctx.faults.take(apiFaultTarget(req.method ?? "GET", url.pathname));
  if (fault) return ctx.faults.apply(fault, req, res);
  guard(() => handleBoxApi(ctx, req, res, url), res);
}

function routeRealtime(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): void {
  record(ctx, "realtime", req);
  const url = new URL(req.url ?? "/", "http://emulator");
  const fault = ctx.faults.take(url.pathname === "/subscribe" ? "realtime" : null);
  if (fault) return ctx.faults.apply(fault, req, res);
  guard(() => handleRealtimeRequest(ctx.hub, req, res, url), res);
}

/** The download host: a valid download URL's bytes; it never needs (and records any) Authorization. */
function routeDownload(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): void {
  record(ctx, "download", req);
  const url = new URL(req.url ?? "/", "http://emulator");
  const fault = ctx.faults.take("download");
  if (fault) return ctx.faults.apply(fault, req, res);
  guard(() => handleDownload(ctx.downloads, ctx.items.tree, req, res, url), res);
}

/** All servers listening; the URLs they answer on. */
async function listenAll(servers: Servers, opts: EmulatorOptions): Promise<Urls> {
  const host = opts.host ?? "127.0.0.1";
  const apiPort = await listen(servers.api, opts.apiPort ?? 0, host);
  let rtPort: number;
  let dlPort: number;
  try {
    rtPort = await listen(servers.realtime, opts.realtimePort ?? 0, host);
    dlPort = await listen(servers.download, 0, host);
  } catch (err) {
    await closeAll(servers);
    throw err;
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const url = (port: number) => `http://${urlHost}:${port}`;
  // the download host stays plain http (loopback), as the realtime server
  return {
    apiUrl: `${opts.tls ? "https" : "http"}://${urlHost}:${apiPort}`,
    realtimeUrl: url(rtPort),
    downloadUrl: url(dlPort),
  };
}

async function closeAll(servers: Servers): Promise<void> {
  await Promise.all([
    closeServer(servers.api, servers.apiSockets),
    closeServer(servers.realtime, servers.realtimeSockets),
    closeServer(servers.download, servers.downloadSockets),
  ]);
}

/** Test-side controls: the same as the /_emulator/ routes, as methods. */
function controls(ctx: EmulatorContext): Omit<BoxEmulator, keyof Urls | "close"> {
  const { account, tokens, auth } = ctx;
  return {
    clientId: account.clientId,
    clientSecret: account.clientSecret,
    requests: ctx.requests,
    issueToken: (o) => tokens.issue(o?.lifetimeSec ?? ctx.settings().tokenLifetimeSec, { admin: o?.admin }),
    revokeToken: (t) => tokens.revoke(t),
    revokeAllTokens: () => tokens.revokeAll(),
    expireAllTokens: () => tokens.expireAll(),
    issueTokenPair: (o) =>
      tokens.issuePair(
        o?.clientId ?? account.clientId,
        account.userId,
        o?.lifetimeSec ?? ctx.settings().tokenLifetimeSec,
      ),
    revokeRefreshTokens: () => tokens.revokeRefreshTokens(),
    issuedTokens: () => tokens.issuedTokens(),
    createJwtApp: (o) => createJwtApp(ctx, o),
    setClockSkew: (ms, o) => {
      auth.skewMs = ms;
      auth.dateHeader = o?.dateHeader ?? "server";
    },
    setTokenDelay: (ms) => {
      auth.tokenDelayMs = ms;
    },
    tokenRequestStats: () => ({ ...auth.stats }),
    items: ctx.items,
    createEvent: (partial) => ctx.createEvents(1, partial)[0],
    createEvents: ctx.createEvents,
    events: () => ctx.log.all(),
    createEnterpriseEvent: (partial) => ctx.createEnterpriseEvents(1, partial)[0],
    createEnterpriseEvents: ctx.createEnterpriseEvents,
    enterpriseEvents: () => ctx.enterprise.all(),
    injectFault: (f) => ctx.faults.add(f),
    clearFaults: () => ctx.faults.clear(),
    setQuirks: ctx.setQuirks,
    clearRequests: () => {
      ctx.requests.length = 0;
    },
    openConnections: () => ctx.stats().openConnections,
    heldPolls: () => ctx.hub.held(),
  };
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<BoxEmulator> {
  const servers = createServers(opts);
  let urls: Urls = { apiUrl: "", realtimeUrl: "", downloadUrl: "" };
  const ctx = createContext(opts, servers, () => urls);
  servers.api.on("request", (req: IncomingMessage, res: ServerResponse) => routeApi(ctx, req, res));
  servers.realtime.on("request", (req: IncomingMessage, res: ServerResponse) => routeRealtime(ctx, req, res));
  servers.download.on("request", (req: IncomingMessage, res: ServerResponse) => routeDownload(ctx, req, res));
  urls = await listenAll(servers, opts);
  let closing: Promise<void> | undefined;
  return {
    ...urls,
    ...controls(ctx),
    close: () => {
      closing ??= (async () => {
        ctx.hub.close();
        ctx.faults.destroyHung();
        ctx.faults.clear();
        await closeAll(servers);
      })();
      return closing;
    },
  };
}
