import { randomBytes } from "crypto";
import os from "os";
import path from "path";
import { checkedApiOrigin, DEFAULT_API_BASE_URL } from "./box/api-origin";
import { AuthType, createTokenSource } from "./box/auth/auth-settings";
import { authorizeUrl, exchangeCode, OAuth2Client, storedFrom, tokenHash } from "./box/auth/oauth2";
import { DeveloperTokenSource } from "./box/auth/token-source";
import { TokenStore } from "./box/auth/token-store";
import { BoxApi } from "./box/box-api";
import { BoxError } from "./box/errors";
import { HttpClient } from "./box/http";
import { ProxySettings } from "./box/proxy-settings";
import { Credentials, resolveConfig, resolveProxy } from "./box-config-settings";
import { BoxConfigNode, NodeAPI } from "./node-red-types";

/** Node-RED's stand-in for a password the editor did not change. */
const UNCHANGED = "__PWRD__";
const STATE_LIFETIME_MS = 10 * 60_000;
const MAX_PENDING = 100;
const CREDENTIAL_KEYS = ["clientId", "clientSecret", "accessToken", "refreshToken", "jwtConfig"] as const;

interface Request {
  body?: Record<string, unknown>;
  query: Record<string, unknown>;
}
interface Response {
  status(code: number): Response;
  json(body: unknown): void;
  set(name: string, value: string): Response;
  send(body: string): void;
}

interface PendingAuthorization extends OAuth2Client {
  id: string;
  origin: string;
  proxy: ProxySettings;
  redirectUri: string;
  expiresAt: number;
}

/**
 * The encrypted file in the user directory where OAuth 2 tokens live: Node-RED's own credentials
 * are written only on a deploy, too late for Box's single-use refresh tokens.
 */
export function runtimeTokenStore(RED: NodeAPI): TokenStore {
  const settings = RED.settings;
  const userDir =
    typeof settings.userDir === "string" && settings.userDir ? settings.userDir : path.join(os.homedir(), ".node-red");
  const credentialSecret = settings.credentialSecret;
  return TokenStore.forDirectory(userDir, {
    credentialSecret: typeof credentialSecret === "string" || credentialSecret === false ? credentialSecret : undefined,
    systemSecret: () =>
      (settings.get as ((key: string) => unknown) | undefined)?.("_credentialSecret") as string | undefined,
    log: (message) => RED.log.warn(message),
  });
}

/**
 * The config dialog's admin endpoints: test the credentials, and OAuth 2's authorization-code flow
 * (start → Box's consent page → callback → status). The callback carries no admin token (it is a
 * browser redirect from Box); the single-use `state`, bound to one node and 10 minutes, guards it.
 */
export function registerAdminEndpoints(RED: NodeAPI, store: TokenStore): void {
  const write = RED.auth.needsPermission("box-config.write");
  const read = RED.auth.needsPermission("box-config.read");
  const pending = new Map<string, PendingAuthorization>();

  /** A credential from the dialog, or the stored one when the dialog left the password unchanged. */
  const credential = (id: unknown, given: unknown, key: (typeof CREDENTIAL_KEYS)[number]): string | undefined => {
    if (typeof given === "string" && given !== UNCHANGED) return given;
    return typeof id === "string" && id ? RED.nodes.getCredentials(id)?.[key] : undefined;
  };

  RED.httpAdmin.post("/box-config/test", write, async (req: Request, res: Response) => {
    const body = req.body ?? {};
    const id = typeof body.id === "string" ? body.id : "";
    const given = (body.credentials ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    const credentials: Credentials = {};
    for (const key of CREDENTIAL_KEYS) credentials[key] = credential(id, given[key], key);
    const deployed = id ? (RED.nodes.getNode(id) as BoxConfigNode | null) : null;
    const home = deployed ? originOrUndefined(deployed.apiBaseUrl) : undefined;
    let http: HttpClient | undefined;
    let api: BoxApi | undefined;
    try {
      const { origin, auth, proxy } = resolveConfig(
        RED,
        {
          authType: (text(body.authType) ?? "ccg") as AuthType,
          apiBaseUrl: text(body.apiBaseUrl),
          subjectType: body.subjectType === "user" ? "user" : "enterprise",
          subjectId: text(body.subjectId),
          proxy: text(body.proxy),
          jwtConfigPath: text(body.jwtConfigPath),
        },
        credentials,
        // the host's environment and files go to Box itself or to where the deployed node sends them anyway
        (origin) => origin === DEFAULT_API_BASE_URL || origin === home,
      );
      http = new HttpClient(proxy);
      const tokens = createTokenSource(auth, http, origin, { store, nodeId: id || "-" });
      api = new BoxApi({ apiBaseUrl: origin, tokens, proxy });
      res.json({ ok: true, user: userOf(await api.getCurrentUser()) });
    } catch (err) {
      res.json({ ok: false, reason: err instanceof BoxError ? err.reason : "unexpected error" });
    } finally {
      await Promise.all([api?.close(), http?.close()]);
    }
  });

  RED.httpAdmin.post("/box-config/oauth2/start", write, (req: Request, res: Response) => {
    const body = req.body ?? {};
    const id = typeof body.id === "string" ? body.id : "";
    const clientId = credential(id, body.clientId, "clientId")?.trim();
    const clientSecret = credential(id, body.clientSecret, "clientSecret")?.trim();
    const redirectUri = typeof body.redirectUri === "string" ? body.redirectUri : "";
    let origin: string;
    let proxy: ProxySettings;
    try {
      origin = checkedApiOrigin(typeof body.apiBaseUrl === "string" ? body.apiBaseUrl : undefined);
      proxy = resolveProxy(RED, typeof body.proxy === "string" ? body.proxy : undefined);
    } catch (err) {
      return void res.status(400).json({ error: (err as BoxError).message });
    }
    if (!id) return void res.status(400).json({ error: "missing node id" });
    if (!clientId || !clientSecret) return void res.status(400).json({ error: "missing client ID or secret" });
    if (!/^https?:\/\/[^/]/.test(redirectUri)) return void res.status(400).json({ error: "invalid redirect URI" });
    const now = Date.now();
    for (const [key, entry] of pending) if (entry.expiresAt < now || pending.size >= MAX_PENDING) pending.delete(key);
    const state = randomBytes(24).toString("base64url");
    pending.set(state, { id, clientId, clientSecret, origin, proxy, redirectUri, expiresAt: now + STATE_LIFETIME_MS });
    res.json({ authorizeUrl: authorizeUrl(origin, clientId, redirectUri, state) });
  });

  RED.httpAdmin.get("/box-config/oauth2/callback", async (req: Request, res: Response) => {
    const page = (status: number, text: string) =>
      res
        .status(status)
        .set("content-type", "text/html; charset=utf-8")
        .set("cache-control", "no-store")
        .send(html(text));
    const state = typeof req.query.state === "string" ? req.query.state : "";
    const auth = pending.get(state);
    pending.delete(state);
    if (!auth || auth.expiresAt < Date.now()) {
      return page(
        400,
        "This authorization link has expired or was already used. Start again from the Box config node.",
      );
    }
    if (typeof req.query.error === "string") {
      const why = typeof req.query.error_description === "string" ? req.query.error_description : req.query.error;
      return page(400, `Box did not authorize the app: ${why}`);
    }
    if (typeof req.query.code !== "string" || !req.query.code) return page(400, "Box sent no authorization code.");
    const http = new HttpClient(auth.proxy);
    let api: BoxApi | undefined;
    try {
      const tokens = await exchangeCode(http, auth.origin, auth, req.query.code, auth.redirectUri);
      const minted = new DeveloperTokenSource(tokens.accessToken);
      api = new BoxApi({ apiBaseUrl: auth.origin, tokens: minted, proxy: auth.proxy });
      const user = userOf(await api.getCurrentUser());
      // The refresh token pasted into the node now (if any) is older than these tokens: the store wins over it.
      const pasted = RED.nodes.getCredentials(auth.id)?.refreshToken?.trim();
      await store.put(auth.id, {
        ...storedFrom(tokens, auth.clientId),
        user,
        pastedRefreshHash: pasted ? tokenHash(pasted) : undefined,
      });
      page(200, `Authorized as ${user.name ?? "?"} (${user.login ?? "?"}). You can close this window.`);
    } catch (err) {
      page(502, `Authorization failed: ${err instanceof BoxError ? err.reason : "unexpected error"}`);
    } finally {
      await Promise.all([api?.close(), http.close()]);
    }
  });

  RED.httpAdmin.get("/box-config/oauth2/status", read, async (req: Request, res: Response) => {
    const id = typeof req.query.id === "string" ? req.query.id : "";
    try {
      const entry = id ? await store.get(id) : undefined;
      if (entry?.refreshToken)
        return res.json({ authorized: true, user: entry.user && { name: entry.user.name, login: entry.user.login } });
      // A refresh token pasted into the credentials and not yet used by a deployed node counts as authorized.
      if (!entry && RED.nodes.getCredentials(id)?.refreshToken) return res.json({ authorized: true });
      res.json({ authorized: false, ...(entry?.error ? { error: entry.error } : {}) });
    } catch {
      res.json({ authorized: false, error: "token store unreadable" });
    }
  });
}

function originOrUndefined(apiBaseUrl: string | undefined): string | undefined {
  try {
    return checkedApiOrigin(apiBaseUrl);
  } catch {
    return undefined;
  }
}

function userOf(me: Record<string, unknown>): { id?: string; name?: string; login?: string } {
  const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : undefined);
  return { id: text(me.id), name: text(me.name), login: text(me.login) };
}

function html(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Box authorization</title></head>\n<body><p>${escaped}</p></body></html>\n`;
}
