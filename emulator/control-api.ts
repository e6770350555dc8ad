import type { IncomingMessage, ServerResponse } from "http";
import type { EnterpriseLog } from "./enterprise-log";
import type { EventLog } from "./event-log";
import type { FaultQueue } from "./faults";
import type { ItemActivity } from "./item-activity";
import type { BoxEvent, Quirks, RequestRecord } from "./types";
import { readJsonObject, sendJson } from "./http-util";
import { createJwtApp, type OAuthParts } from "./oauth";
import { ITEM_ACTIONS, runItemAction } from "./item-control";

/** What the `/_emulator/*` control routes drive. */
export interface ControlParts extends OAuthParts {
  log: EventLog;
  enterprise: EnterpriseLog;
  faults: FaultQueue;
  items: ItemActivity;
  requests: RequestRecord[];
  setQuirks: (q: Quirks) => void;
  createEvents: (count: number, partial?: Partial<BoxEvent>) => BoxEvent[];
  createEnterpriseEvents: (count: number, partial?: Partial<BoxEvent>) => BoxEvent[];
  stats: () => { events: number; openConnections: number; heldPolls: number; requests: number };
}

const MAX_BATCH = 100_000;

/** One control request: what a route handler needs to read and answer it. */
export interface ControlCall {
  ctx: ControlParts;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  fail(status: number, message: string): void;
  /** The JSON object body, or undefined when the request was already answered (bad body). */
  jsonBody(): Promise<Record<string, unknown> | undefined>;
}

type ControlRoute = (call: ControlCall) => Promise<void> | void;

const ok = (call: ControlCall, status = 200): void => sendJson(call.res, status, { ok: true });

/** A route that needs a JSON body: the handler runs only when the body is a JSON object. */
const withBody =
  (handler: (call: ControlCall, body: Record<string, unknown>) => Promise<void> | void): ControlRoute =>
  async (call) => {
    const body = await call.jsonBody();
    if (body) await handler(call, body);
  };

/** `{count, ...fields}`: that many events made with `create` (user events, or the enterprise's admin events). */
const addEvents =
  (create: (ctx: ControlParts) => ControlParts["createEvents"]) =>
  (call: ControlCall, body: Record<string, unknown>): void => {
    const { count, ...partial } = body;
    const n = count === undefined ? 1 : count;
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_BATCH) {
      return call.fail(400, `count must be an integer from 1 to ${MAX_BATCH}`);
    }
    sendJson(call.res, 201, create(call.ctx)(n as number, partial as Partial<BoxEvent>));
  };

function addFault(call: ControlCall, body: Record<string, unknown>): void {
  try {
    call.ctx.faults.add(body as never);
  } catch (err) {
    return call.fail(400, (err as Error).message);
  }
  sendJson(call.res, 201, { ok: true, pending: call.ctx.faults.pending });
}

function issueToken(call: ControlCall, body: Record<string, unknown>): void {
  const lifetime = typeof body.lifetimeSec === "number" ? body.lifetimeSec : call.ctx.settings().tokenLifetimeSec;
  const token = call.ctx.tokens.issue(lifetime, { admin: body.admin === true });
  sendJson(call.res, 201, { access_token: token, expires_in: lifetime });
}

async function addJwtApp(call: ControlCall, body: Record<string, unknown>): Promise<void> {
  const passphrase = typeof body.passphrase === "string" ? body.passphrase : undefined;
  const app = await createJwtApp(call.ctx, { passphrase });
  sendJson(call.res, 201, { clientId: app.clientId, publicKeyId: app.publicKeyId, configJson: app.configJson });
}

function setClockSkew(call: ControlCall, body: Record<string, unknown>): void {
  if (typeof body.ms !== "number" || !Number.isFinite(body.ms)) return call.fail(400, "ms must be a number");
  call.ctx.auth.skewMs = body.ms;
  call.ctx.auth.dateHeader = body.dateHeader === "none" ? "none" : "server";
  ok(call);
}

/** Routes by `METHOD /path`; add new controls here. */
export const CONTROL_ROUTES: Record<string, ControlRoute> = {
  "GET /_emulator/events": (call) => sendJson(call.res, 200, call.ctx.log.all()),
  "POST /_emulator/events": withBody(addEvents((ctx) => ctx.createEvents)),
  "GET /_emulator/enterprise-events": (call) => sendJson(call.res, 200, call.ctx.enterprise.all()),
  "POST /_emulator/enterprise-events": withBody(addEvents((ctx) => ctx.createEnterpriseEvents)),
  "POST /_emulator/faults": withBody(addFault),
  "DELETE /_emulator/faults": (call) => {
    call.ctx.faults.clear();
    ok(call);
  },
  "POST /_emulator/quirks": withBody((call, body) => {
    call.ctx.setQuirks(body as Quirks);
    sendJson(call.res, 200, { ok: true, settings: call.ctx.settings() });
  }),
  "POST /_emulator/tokens": withBody(issueToken),
  "POST /_emulator/tokens/revoke-all": (call) => {
    call.ctx.tokens.revokeAll();
    ok(call);
  },
  "POST /_emulator/tokens/expire-all": (call) => {
    call.ctx.tokens.expireAll();
    ok(call);
  },
  "POST /_emulator/jwt-apps": withBody(addJwtApp),
  "POST /_emulator/tokens/revoke-refresh": (call) => {
    call.ctx.tokens.revokeRefreshTokens();
    ok(call);
  },
  "POST /_emulator/clock-skew": withBody(setClockSkew),
  "GET /_emulator/stats": (call) => sendJson(call.res, 200, call.ctx.stats()),
  "GET /_emulator/requests": (call) => sendJson(call.res, 200, call.ctx.requests),
  "DELETE /_emulator/requests": (call) => {
    call.ctx.requests.length = 0;
    ok(call);
  },
  // folders and files: each action changes the item tree and records Box's event (item-control.ts)
  ...Object.fromEntries(
    Object.keys(ITEM_ACTIONS).map((action): [string, ControlRoute] => [
      `POST /_emulator/items/${action}`,
      withBody((call, body) => {
        const answer = runItemAction(call.ctx.items, action, body);
        sendJson(call.res, answer.status, answer.body);
      }),
    ]),
  ),
};

/** Unauthenticated test/demo controls under /_emulator/ on the API server. */
export async function handleControl(
  ctx: ControlParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/+$/, "")}`;
  const fail = (status: number, message: string): void => sendJson(res, status, { error: message });
  const handler = CONTROL_ROUTES[route];
  if (handler) return handler({ ctx, req, res, url, fail, jsonBody: () => readJsonObject(req, res, fail) });
  fail(404, `no control route ${route}`);
}
