import type { IncomingMessage, ServerResponse } from "http";
import type { EmulatorContext } from "./context";
import type { BoxEvent, Quirks } from "./types";
import { readBody, sendJson } from "./http-util";
import { createJwtApp } from "./oauth";
import { handleItemControl } from "./item-control";

const MAX_BATCH = 100_000;

/** Unauthenticated test/demo controls under /_emulator/ on the API server. */
export async function handleControl(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/+$/, "")}`;
  const fail = (status: number, message: string): void => sendJson(res, status, { error: message });
  const jsonBody = async (): Promise<Record<string, unknown> | undefined> => {
    const text = await readBody(req, res);
    if (text === undefined) return undefined;
    if (text.trim() === "") return {};
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      /* answered below */
    }
    fail(400, "body must be a JSON object");
    return undefined;
  };

  switch (route) {
    case "GET /_emulator/events":
      return sendJson(res, 200, ctx.log.all());
    case "POST /_emulator/events": {
      const body = await jsonBody();
      if (!body) return;
      const { count, ...partial } = body;
      const n = count === undefined ? 1 : count;
      if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_BATCH) {
        return fail(400, `count must be an integer from 1 to ${MAX_BATCH}`);
      }
      return sendJson(res, 201, ctx.createEvents(n as number, partial as Partial<BoxEvent>));
    }
    case "POST /_emulator/faults": {
      const body = await jsonBody();
      if (!body) return;
      try {
        ctx.faults.add(body as never);
      } catch (err) {
        return fail(400, (err as Error).message);
      }
      return sendJson(res, 201, { ok: true, pending: ctx.faults.pending });
    }
    case "DELETE /_emulator/faults":
      ctx.faults.clear();
      return sendJson(res, 200, { ok: true });
    case "POST /_emulator/quirks": {
      const body = await jsonBody();
      if (!body) return;
      ctx.setQuirks(body as Quirks);
      return sendJson(res, 200, { ok: true, settings: ctx.settings() });
    }
    case "POST /_emulator/tokens": {
      const body = await jsonBody();
      if (!body) return;
      const lifetime = typeof body.lifetimeSec === "number" ? body.lifetimeSec : ctx.settings().tokenLifetimeSec;
      return sendJson(res, 201, { access_token: ctx.tokens.issue(lifetime), expires_in: lifetime });
    }
    case "POST /_emulator/tokens/revoke-all":
      ctx.tokens.revokeAll();
      return sendJson(res, 200, { ok: true });
    case "POST /_emulator/tokens/expire-all":
      ctx.tokens.expireAll();
      return sendJson(res, 200, { ok: true });
    case "POST /_emulator/jwt-apps": {
      const body = await jsonBody();
      if (!body) return;
      const passphrase = typeof body.passphrase === "string" ? body.passphrase : undefined;
      const app = await createJwtApp(ctx, { passphrase });
      return sendJson(res, 201, { clientId: app.clientId, publicKeyId: app.publicKeyId, configJson: app.configJson });
    }
    case "POST /_emulator/tokens/revoke-refresh":
      ctx.tokens.revokeRefreshTokens();
      return sendJson(res, 200, { ok: true });
    case "POST /_emulator/clock-skew": {
      const body = await jsonBody();
      if (!body) return;
      if (typeof body.ms !== "number" || !Number.isFinite(body.ms)) return fail(400, "ms must be a number");
      ctx.auth.skewMs = body.ms;
      ctx.auth.dateHeader = body.dateHeader === "none" ? "none" : "server";
      return sendJson(res, 200, { ok: true });
    }
    case "GET /_emulator/stats":
      return sendJson(res, 200, ctx.stats());
    case "GET /_emulator/requests":
      return sendJson(res, 200, ctx.requests);
    case "DELETE /_emulator/requests":
      ctx.requests.length = 0;
      return sendJson(res, 200, { ok: true });
    default:
      if (await handleItemControl(ctx.items, req, res, url)) return;
      return fail(404, `no control route ${route}`);
  }
}
