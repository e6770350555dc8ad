import { randomBytes } from "crypto";
import { checkedApiOrigin } from "../box/http/api-origin";
import { authorizeUrl, exchangeCode, storedFrom, tokenHash } from "../box/auth/oauth2";
import { getCurrentUser } from "../box/auth/current-user";
import { DeveloperTokenSource } from "../box/auth/token-source";
import { BoxClient } from "../box/http/box-client";
import { BoxError } from "../box/errors";
import { HttpClient } from "../box/http/http";
import { ProxySettings } from "../box/http/proxy-settings";
import { Credentials, resolveProxy } from "./settings";
import {
  Admin,
  credentialsFor,
  PendingAuthorization,
  reasonOf,
  Request,
  Response,
  text,
  User,
  userOf,
} from "./admin-request";

const STATE_LIFETIME_MS = 10 * 60_000;
const MAX_PENDING = 100;

/** OAuth 2, step 1: remember the client for a single-use `state` and send the browser to Box's consent page. */
export function handleStart(admin: Admin, req: Request, res: Response): void {
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
export async function handleCallback(admin: Admin, req: Request, res: Response): Promise<void> {
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
    const minted = new DeveloperTokenSource(tokens.accessToken, "accessTokenRefused");
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
export async function handleStatus(admin: Admin, req: Request, res: Response): Promise<void> {
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

function html(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Box authorization</title></head>\n<body><p>${escaped}</p></body></html>\n`;
}
