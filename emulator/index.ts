import { createServer, type IncomingMessage, type ServerResponse } from "http";
import { URL } from "url";
import type { EmulatorContext } from "./context";
import { handleBoxApi, apiFaultTarget } from "./api-server";
import { handleControl } from "./control-api";
import { EventFactory } from "./event-defaults";
import { EventLog } from "./event-log";
import { FaultQueue } from "./faults";
import { ItemActivity } from "./item-activity";
import { ItemTree } from "./item-tree";
import { closeServer, listen, sendBoxError, trackSockets } from "./http-util";
import { RealtimeHub, handleRealtimeRequest } from "./realtime";
import { AuthState, createJwtApp } from "./oauth";
import { TokenStore } from "./tokens";
import type { BoxEmulator, BoxEvent, EmulatorOptions, Quirks, RequestRecord, Settings } from "./types";

export type { JwtApp, TokenRequestStats } from "./oauth";
export type { ItemActivity, ItemEventSpec, SourceShape } from "./item-activity";
export type { ItemAccess, ItemRef, ItemTree, TreeFile, TreeFolder, TreeItem } from "./item-tree";
export type { BoxEmulator, BoxEvent, EmulatorOptions, Fault, FaultTarget, Quirks, RequestRecord } from "./types";

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

export async function startEmulator(opts: EmulatorOptions = {}): Promise<BoxEmulator> {
  const host = opts.host ?? "127.0.0.1";
  const base = BigInt(opts.positionBase ?? DEFAULT_POSITION_BASE);
  const settings: Settings = {
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
  const account = {
    clientId: opts.clientId ?? "demo-client-id",
    clientSecret: opts.clientSecret ?? "demo-client-secret",
    enterpriseId: opts.enterpriseId ?? "100001",
    userId: opts.userId ?? "200002",
  };
  const log = new EventLog(base, opts.retentionEvents);
  const hub = new RealtimeHub(log, () => settings);
  const factory = new EventFactory(account.userId);
  const requests: RequestRecord[] = [];
  let realtimeUrl = "";

  const apiServer = createServer();
  const rtServer = createServer();
  const apiSockets = trackSockets(apiServer);
  const rtSockets = trackSockets(rtServer);

  const appendEvents = (partials: Partial<BoxEvent>[]): BoxEvent[] => {
    const batch = partials.map((partial) => factory.build(partial));
    log.append(batch);
    hub.notify();
    return batch;
  };
  const createEvents = (count: number, partial?: Partial<BoxEvent>): BoxEvent[] =>
    appendEvents(Array.from({ length: count }, () => partial ?? {}));
  const items = new ItemActivity(new ItemTree(account.userId), appendEvents, account.userId);

  const ctx: EmulatorContext = {
    account,
    log,
    factory,
    hub,
    items,
    requests,
    tokens: new TokenStore(),
    auth: new AuthState(account.clientId, account.clientSecret),
    faults: new FaultQueue(),
    realtimeUrl: () => realtimeUrl,
    settings: () => settings,
    setQuirks: (q) => applyQuirks(settings, q),
    createEvents,
    stats: () => ({
      events: log.all().length,
      openConnections: apiSockets.size + rtSockets.size,
      heldPolls: hub.held(),
      requests: requests.length,
    }),
  };

  const record = (server: RequestRecord["server"], req: IncomingMessage): void => {
    const rec: RequestRecord = { server, method: req.method ?? "GET", path: req.url ?? "/", at: Date.now() };
    if (req.headers.authorization !== undefined) rec.authorization = req.headers.authorization;
    requests.push(rec);
  };

  const guard = (handler: () => Promise<void> | void, res: ServerResponse): void => {
    Promise.resolve()
      .then(handler)
      .catch((err: unknown) => sendBoxError(res, 500, `Emulator error: ${(err as Error).message}`));
  };

  apiServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    record("api", req);
    const url = new URL(req.url ?? "/", "http://emulator");
    // Control routes are never faulted: the demo and tests must be able to steer the emulator mid-fault.
    if (url.pathname.startsWith("/_emulator/")) return guard(() => handleControl(ctx, req, res, url), res);
    const fault = ctx.faults.take(apiFaultTarget(req.method ?? "GET", url.pathname));
    if (fault) return ctx.faults.apply(fault, req, res);
    guard(() => handleBoxApi(ctx, req, res, url), res);
  });

  rtServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    record("realtime", req);
    const url = new URL(req.url ?? "/", "http://emulator");
    const fault = ctx.faults.take(url.pathname === "/subscribe" ? "realtime" : null);
    if (fault) return ctx.faults.apply(fault, req, res);
    guard(() => handleRealtimeRequest(hub, req, res, url), res);
  });

  const apiPort = await listen(apiServer, opts.apiPort ?? 0, host);
  let rtPort: number;
  try {
    rtPort = await listen(rtServer, opts.realtimePort ?? 0, host);
  } catch (err) {
    await closeServer(apiServer, apiSockets);
    throw err;
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const apiUrl = `http://${urlHost}:${apiPort}`;
  realtimeUrl = `http://${urlHost}:${rtPort}`;
  let closing: Promise<void> | undefined;

  return {
    apiUrl,
    realtimeUrl,
    clientId: account.clientId,
    clientSecret: account.clientSecret,
    requests,
    issueToken: (o) => ctx.tokens.issue(o?.lifetimeSec ?? settings.tokenLifetimeSec),
    revokeToken: (t) => ctx.tokens.revoke(t),
    revokeAllTokens: () => ctx.tokens.revokeAll(),
    expireAllTokens: () => ctx.tokens.expireAll(),
    issueTokenPair: (o) =>
      ctx.tokens.issuePair(
        o?.clientId ?? account.clientId,
        account.userId,
        o?.lifetimeSec ?? settings.tokenLifetimeSec,
      ),
    revokeRefreshTokens: () => ctx.tokens.revokeRefreshTokens(),
    issuedTokens: () => ctx.tokens.issuedTokens(),
    createJwtApp: (o) => createJwtApp(ctx, o),
    setClockSkew: (ms, o) => {
      ctx.auth.skewMs = ms;
      ctx.auth.dateHeader = o?.dateHeader ?? "server";
    },
    setTokenDelay: (ms) => {
      ctx.auth.tokenDelayMs = ms;
    },
    tokenRequestStats: () => ({ ...ctx.auth.stats }),
    items,
    createEvent: (partial) => createEvents(1, partial)[0],
    createEvents,
    events: () => log.all(),
    injectFault: (f) => ctx.faults.add(f),
    clearFaults: () => ctx.faults.clear(),
    setQuirks: (q) => applyQuirks(settings, q),
    clearRequests: () => {
      requests.length = 0;
    },
    openConnections: () => apiSockets.size + rtSockets.size,
    heldPolls: () => hub.held(),
    close: () => {
      closing ??= (async () => {
        hub.close();
        ctx.faults.destroyHung();
        ctx.faults.clear();
        await Promise.all([closeServer(apiServer, apiSockets), closeServer(rtServer, rtSockets)]);
      })();
      return closing;
    },
  };
}
