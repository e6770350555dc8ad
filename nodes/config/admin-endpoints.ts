import { randomBytes } from "crypto";
import os from "os";
import path from "path";
import { checkedApiOrigin, DEFAULT_API_BASE_URL } from "../box/http/api-origin";
import { AuthType, createTokenSource, subjectTypeOf } from "../box/auth/auth-settings";
import { authorizeUrl, exchangeCode, notAuthorized, OAuth2Client, storedFrom, tokenHash } from "../box/auth/oauth2";
import { DeveloperTokenSource } from "../box/auth/token-source";
import { isStoreLocked, TokenStore } from "../box/auth/token-store";
import { BoxClient } from "../box/http/box-client";
import { getCurrentUser } from "../box/auth/current-user";
import { BoxError } from "../box/errors";
import { HttpClient } from "../box/http/http";
import { ProxySettings } from "../box/http/proxy-settings";
import { reason } from "../box/reasons";
import { CREDENTIAL_KEYS, CredentialKey } from "./credentials";
import { Credentials, resolveConfig, resolveProxy } from "./settings";
import { BoxConfigNode, NodeAPI } from "../shared/node-red-types";
import { reasonText } from "../shared/reason-text";

/** Node-RED's stand-in for a password the editor did not change. */
const UNCHANGED = "__PWRD__";
const STATE_LIFETIME_MS = 10 * 60_000;
const MAX_PENDING = 100;

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
  // Node-RED deletes its generated `_credentialSecret` on the first deploy after `credentialSecret` is set:
  // the one seen at start is remembered, so a store it encrypted can still be opened and re-encrypted.
  let remembered: string | undefined;
  const systemSecret = () => {
    const value = (settings.get as ((key: string) => unknown) | undefined)?.("_credentialSecret");
    if (typeof value === "string" && value) remembered = value;
    return remembered;
  };
  try {
    systemSecret();
  } catch {
    // settings not available (a test runtime): the store falls back to its own key file
  }
  const store = TokenStore.forDirectory(userDir, {
    credentialSecret: typeof credentialSecret === "string" || credentialSecret === false ? credentialSecret : undefined,
    systemSecret,
    log: (message) => RED.log.warn(message),
  });
  // opened (and re-encrypted under a new key) at start, before a deploy can retire the old key
  store.open().catch((err) => {
    if (!isStoreLocked(err)) RED.log.warn(`Box token store: ${(err as Error).message}`);
  });
  return store;
}

/** What every handler needs: the runtime, the shared token store, and the OAuth 2 authorizations under way. */
interface Admin {
  RED: NodeAPI;
  store: TokenStore;
  pending: Map<string, PendingAuthorization>;
}

/**
 * The config dialog's admin endpoints: test the credentials, and OAuth 2's authorization-code flow
 * (start → Box's consent page → callback → status). The callback carries no admin token (it is a
 * browser redirect from Box); the single-use `state`, bound to one node and 10 minutes, guards it.
 */
export function registerAdminEndpoints(RED: NodeAPI, store: TokenStore): void {
  const write = RED.auth.needsPermission("box-config.write");
  const read = RED.auth.needsPermission("box-config.read");
  const admin: Admin = { RED, store, pending: new Map() };
  RED.httpAdmin.post("/box-config/test", write, (req: Request, res: Response) => handleTest(admin, req, res));
  RED.httpAdmin.post("/box-config/oauth2/start", write, (req: Request, res: Response) => handleStart(admin, req, res));
  RED.httpAdmin.get("/box-config/oauth2/callback", (req: Request, res: Response) => handleCallback(admin, req, res));
  RED.httpAdmin.get("/box-config/oauth2/status", read, (req: Request, res: Response) => handleStatus(admin, req, res));
}

/**
 * The credentials a dialog request may use: what was typed, and for a password left unchanged (`__PWRD__`)
 * the deployed node's own, only when the request goes to that node's API origin. `deployed` is set when the
 * id is a deployed box-config whose origin is `origin`: its stored OAuth 2 tokens may be used too.
 */
function credentialsFor(
  admin: Admin,
  id: string,
  given: Record<string, unknown>,
  origin: string,
  keys: readonly CredentialKey[] = CREDENTIAL_KEYS,
): { credentials: Credentials; deployed: boolean; home?: string } {
  const { RED } = admin;
  const node = id ? (RED.nodes.getNode(id) as (BoxConfigNode & { type?: string }) | null) : null;
  if (node && node.type !== "box-config") throw new BoxError("config", reason("notBoxConfig"));
  const home = node ? originOrUndefined(node.apiBaseUrl) : undefined;
  const deployed = home !== undefined && home === origin;
  const credentials: Credentials = {};
  for (const key of keys) {
    const value = given[key];
    if (typeof value === "string" && value !== UNCHANGED) credentials[key] = value;
    else if (value === UNCHANGED && node) {
      if (!deployed) throw new BoxError("config", reason("storedSecretsElsewhere", { origin: home ?? "?" }));
      credentials[key] = RED.nodes.getCredentials(id)?.[key];
    }
  }
  return { credentials, deployed, home };
}

function originOrUndefined(apiBaseUrl: string | undefined): string | undefined {
  try {
    return checkedApiOrigin(apiBaseUrl);
  } catch {
    return undefined;
  }
}

/** The short reason the dialog shows, in the runtime's language. */
function reasonOf(admin: Admin, err: unknown): string {
  return err instanceof BoxError ? reasonText(admin.RED._, err) : "unexpected error";
}

/** Test connection: who the credentials sign in as. Never refreshes or writes the live OAuth 2 tokens. */
async function handleTest(admin: Admin, req: Request, res: Response): Promise<void> {
  const body = req.body ?? {};
  const id = typeof body.id === "string" ? body.id : "";
  const authType = (text(body.authType) ?? "ccg") as AuthType;
  let http: HttpClient | undefined;
  let api: BoxClient | undefined;
  try {
    const origin = checkedApiOrigin(text(body.apiBaseUrl));
    const given = (body.credentials ?? {}) as Record<string, unknown>;
    const { credentials, deployed, home } = credentialsFor(admin, id, given, origin);
    const { auth, proxy } = resolveConfig(
      admin.RED,
      {
        authType,
        apiBaseUrl: origin,
        subjectType: subjectTypeOf(body.subjectType),
        subjectId: text(body.subjectId),
        proxy: text(body.proxy),
        jwtConfigPath: text(body.jwtConfigPath),
      },
      credentials,
      // the host's environment and files go to Box itself or to where the deployed node sends them anyway
      (to) => to === DEFAULT_API_BASE_URL || to === home,
    );
    http = new HttpClient(proxy);
    const tokens =
      authType === "oauth2"
        ? new DeveloperTokenSource(await oauth2TestToken(admin, id, given.accessToken, deployed))
        : createTokenSource(auth, http, origin);
    api = new BoxClient({ apiBaseUrl: origin, tokens, proxy });
    res.json({ ok: true, user: userOf(await getCurrentUser(api)) });
  } catch (err) {
    res.json({ ok: false, reason: reasonOf(admin, err) });
  } finally {
    await Promise.all([api?.close(), http?.close()]);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * The access token an OAuth 2 test may use: one typed into the dialog, or the deployed node's stored one
 * while it is fresh. A refresh would rotate the single-use refresh token behind the running node's back.
 */
async function oauth2TestToken(admin: Admin, id: string, typed: unknown, deployed: boolean): Promise<string> {
  const pasted = typeof typed === "string" && typed !== UNCHANGED ? typed.trim() : "";
  if (pasted) return pasted;
  const entry = deployed ? await admin.store.get(id) : undefined;
  if (entry?.accessToken && (entry.accessExpiresAt ?? 0) > Date.now() + 5000) return entry.accessToken;
  if (entry?.refreshToken && !entry.error) throw new BoxError("config", reason("noFreshAccessToken"));
  throw notAuthorized(entry);
}

/** OAuth 2, step 1: remember the client for a single-use `state` and send the browser to Box's consent page. */
function handleStart(admin: Admin, req: Request, res: Response): void {
  const body = req.body ?? {};
  const id = typeof body.id === "string" ? body.id : "";
  const redirectUri = typeof body.redirectUri === "string" ? body.redirectUri : "";
  let origin: string;
  let proxy: ProxySettings;
  let client: Credentials;
  try {
    origin = checkedApiOrigin(text(body.apiBaseUrl));
    proxy = resolveProxy(admin.RED, text(body.proxy));
    client = credentialsFor(admin, id, body, origin, ["clientId", "clientSecret"]).credentials;
  } catch (err) {
    return void res.status(400).json({ error: reasonOf(admin, err) });
  }
  const clientId = client.clientId?.trim();
  const clientSecret = client.clientSecret?.trim();
  if (!id) return void res.status(400).json({ error: "missing node id" });
  if (!clientId || !clientSecret) return void res.status(400).json({ error: "missing client ID or secret" });
  if (!/^https?:\/\/[^/]/.test(redirectUri)) return void res.status(400).json({ error: "invalid redirect URI" });
  const now = Date.now();
  const { pending } = admin;
  for (const [key, entry] of pending) if (entry.expiresAt < now || pending.size >= MAX_PENDING) pending.delete(key);
  const state = randomBytes(24).toString("base64url");
  pending.set(state, { id, clientId, clientSecret, origin, proxy, redirectUri, expiresAt: now + STATE_LIFETIME_MS });
  res.json({ authorizeUrl: authorizeUrl(origin, clientId, redirectUri, state) });
}

/** OAuth 2, step 2: Box sends the browser back with a code; exchange it and store the tokens. */
async function handleCallback(admin: Admin, req: Request, res: Response): Promise<void> {
  const page = (status: number, text: string) =>
    res
      .status(status)
      .set("content-type", "text/html; charset=utf-8")
      .set("cache-control", "no-store")
      .send(html(text));
  const state = typeof req.query.state === "string" ? req.query.state : "";
  const auth = admin.pending.get(state);
  admin.pending.delete(state);
  if (!auth || auth.expiresAt < Date.now()) {
    return page(400, "This authorization link has expired or was already used. Start again from the Box config node.");
  }
  if (typeof req.query.error === "string") {
    const why = typeof req.query.error_description === "string" ? req.query.error_description : req.query.error;
    return page(400, `Box did not authorize the app: ${why}`);
  }
  if (typeof req.query.code !== "string" || !req.query.code) return page(400, "Box sent no authorization code.");
  try {
    const user = await authorizeWithCode(admin, auth, req.query.code);
    page(200, `Authorized as ${user.name ?? "?"} (${user.login ?? "?"}). You can close this window.`);
  } catch (err) {
    page(502, `Authorization failed: ${reasonOf(admin, err)}`);
  }
}

async function authorizeWithCode(admin: Admin, auth: PendingAuthorization, code: string): Promise<User> {
  const http = new HttpClient(auth.proxy);
  let api: BoxClient | undefined;
  try {
    const tokens = await exchangeCode(http, auth.origin, auth, code, auth.redirectUri);
    const minted = new DeveloperTokenSource(tokens.accessToken);
    api = new BoxClient({ apiBaseUrl: auth.origin, tokens: minted, proxy: auth.proxy });
    const user = userOf(await getCurrentUser(api));
    // The refresh token pasted into the node now (if any) is older than these tokens: the store wins over it.
    const pasted = admin.RED.nodes.getCredentials(auth.id)?.refreshToken?.trim();
    const entry = {
      ...storedFrom(tokens, auth.clientId),
      user,
      pastedRefreshHash: pasted ? tokenHash(pasted) : undefined,
    };
    // after any refresh under way for this node, so that it cannot overwrite the new authorization
    await admin.store.exclusive(auth.id, () => admin.store.put(auth.id, entry));
    return user;
  } finally {
    await Promise.all([api?.close(), http.close()]);
  }
}

/** OAuth 2, the dialog's view: is the node authorized, and as whom. */
async function handleStatus(admin: Admin, req: Request, res: Response): Promise<void> {
  const id = typeof req.query.id === "string" ? req.query.id : "";
  try {
    const entry = id ? await admin.store.get(id) : undefined;
    if (entry?.refreshToken)
      return res.json({ authorized: true, user: entry.user && { name: entry.user.name, login: entry.user.login } });
    // A refresh token pasted into the credentials and not yet used by a deployed node counts as authorized.
    if (!entry && admin.RED.nodes.getCredentials(id)?.refreshToken) return res.json({ authorized: true });
    res.json({ authorized: false, ...(entry?.error ? { error: entry.error } : {}) });
  } catch (err) {
    res.json({ authorized: false, error: err instanceof BoxError ? err.reason : "token store unreadable" });
  }
}

type User = { id?: string; name?: string; login?: string };

function userOf(me: Record<string, unknown>): User {
  const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : undefined);
  return { id: text(me.id), name: text(me.name), login: text(me.login) };
}

function html(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Box authorization</title></head>\n<body><p>${escaped}</p></body></html>\n`;
}
