import { createPublicKey, generateKeyPair, randomBytes, verify, type KeyObject } from "crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "http";
import { promisify } from "util";
import type { TokenStore } from "./tokens";
import type { Account, Settings } from "./types";
import { demoUser } from "./event-defaults";
import { readBody, sendJson } from "./http-util";

/** What the token endpoint and the authorize page need of the emulator. */
export interface OAuthParts {
  account: Account;
  auth: AuthState;
  settings: () => Settings;
  tokens: TokenStore;
}

/** Box's token endpoint URL: the only `aud` it accepts in a JWT assertion, whatever host is asked. */
export const JWT_AUDIENCE = "https://api.box.com/oauth2/token";
const JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const CODE_LIFETIME_MS = 30_000;
const MAX_EXP_AHEAD_SEC = 60;

interface App {
  clientId: string;
  clientSecret: string;
  /** Public keys registered for JWT, by public key ID (`kid`). */
  keys: Map<string, KeyObject>;
}

export interface JwtApp {
  /** The app's JSON config file, exactly as Box's developer console downloads it. */
  configJson: string;
  clientId: string;
  clientSecret: string;
  publicKeyId: string;
  enterpriseId: string;
  privateKeyPem: string;
  passphrase: string;
}

export interface TokenRequestStats {
  total: number;
  inflight: number;
  maxConcurrent: number;
}

/** What the OAuth 2 parts of the emulator remember: apps and their keys, codes, used `jti`s, a clock skew. */
export class AuthState {
  readonly apps = new Map<string, App>();
  readonly codes = new Map<string, { clientId: string; redirectUri: string; expiresAt: number }>();
  readonly jtis = new Map<string, number>();
  /** Added to the emulator's clock when it checks `exp` and writes the `Date` header of token answers. */
  skewMs = 0;
  /** `none`: token answers carry no Date header (a proxy that strips it), so a client cannot learn the skew. */
  dateHeader: "server" | "none" = "server";
  tokenDelayMs = 0;
  readonly stats: TokenRequestStats = { total: 0, inflight: 0, maxConcurrent: 0 };

  constructor(clientId: string, clientSecret: string) {
    this.apps.set(clientId, { clientId, clientSecret, keys: new Map() });
  }

  now(): number {
    return Date.now() + this.skewMs;
  }
}

/** A new app with a fresh RSA key pair, and its config file as Box's "Generate a Public/Private Keypair" downloads it. */
export async function createJwtApp(
  ctx: OAuthParts,
  opts: { passphrase?: string; clientId?: string; clientSecret?: string; enterpriseId?: string } = {},
): Promise<JwtApp> {
  const passphrase = opts.passphrase ?? randomBytes(16).toString("hex");
  const { privateKey, publicKey } = await promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase },
  });
  const clientId = opts.clientId ?? randomBytes(16).toString("hex");
  const existing = ctx.auth.apps.get(clientId);
  const app: App = existing ?? {
    clientId,
    clientSecret: opts.clientSecret ?? randomBytes(16).toString("hex"),
    keys: new Map(),
  };
  const publicKeyId = randomBytes(4).toString("hex");
  app.keys.set(publicKeyId, createPublicKey(publicKey));
  ctx.auth.apps.set(clientId, app);
  const enterpriseId = opts.enterpriseId ?? ctx.account.enterpriseId;
  const config = {
    boxAppSettings: {
      clientID: clientId,
      clientSecret: app.clientSecret,
      appAuth: { publicKeyID: publicKeyId, privateKey, passphrase },
    },
    enterpriseID: enterpriseId,
  };
  return {
    configJson: JSON.stringify(config, null, 2),
    clientId,
    clientSecret: app.clientSecret,
    publicKeyId,
    enterpriseId,
    privateKeyPem: privateKey,
    passphrase,
  };
}

/** `POST /oauth2/token` for every grant Box has: client_credentials, jwt-bearer, authorization_code, refresh_token. */
export async function handleTokenRequest(ctx: OAuthParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { auth } = ctx;
  auth.stats.total++;
  auth.stats.inflight++;
  auth.stats.maxConcurrent = Math.max(auth.stats.maxConcurrent, auth.stats.inflight);
  res.once("close", () => auth.stats.inflight--);
  const body = await readBody(req, res);
  if (body === undefined) return;
  if (auth.tokenDelayMs > 0) await delay(auth.tokenDelayMs, res);
  if (auth.dateHeader === "none") res.sendDate = false;
  const headers: OutgoingHttpHeaders = auth.dateHeader === "server" ? { date: new Date(auth.now()).toUTCString() } : {};
  const fail = (error: string, description: string): void =>
    sendJson(res, 400, { error, error_description: description }, headers);
  const form = new URLSearchParams(body);
  const grant = form.get("grant_type");
  const app = auth.apps.get(form.get("client_id") ?? "");
  if (!app || form.get("client_secret") !== app.clientSecret)
    return fail("invalid_client", "The client credentials are invalid");
  const lifetime = ctx.settings().tokenLifetimeSec;
  const bearer = (access: string, refresh?: string): void =>
    sendJson(
      res,
      200,
      {
        access_token: access,
        expires_in: lifetime,
        restricted_to: [],
        ...(refresh ? { refresh_token: refresh } : {}),
        token_type: "bearer",
      },
      headers,
    );
  const { enterpriseId, userId } = ctx.account;

  switch (grant) {
    case "client_credentials": {
      const subjectType = form.get("box_subject_type");
      const expected = subjectType === "enterprise" ? enterpriseId : subjectType === "user" ? userId : undefined;
      if (expected === undefined || form.get("box_subject_id") !== expected)
        return fail("invalid_grant", "Grant credentials are invalid");
      return bearer(ctx.tokens.issue(lifetime, { admin: subjectType === "enterprise" }));
    }
    case JWT_GRANT: {
      const refusal = checkAssertion(ctx, app, form.get("assertion") ?? "");
      if (refusal) return fail("invalid_grant", refusal);
      return bearer(
        ctx.tokens.issue(lifetime, { admin: assertionSubjectType(form.get("assertion")) === "enterprise" }),
      );
    }
    case "authorization_code": {
      const code = auth.codes.get(form.get("code") ?? "");
      auth.codes.delete(form.get("code") ?? "");
      if (!code || code.expiresAt < Date.now() || code.clientId !== app.clientId) {
        return fail("invalid_grant", "Auth code doesn't exist or is invalid for the client");
      }
      const redirectUri = form.get("redirect_uri");
      if (redirectUri !== null && redirectUri !== code.redirectUri)
        return fail("invalid_grant", "Invalid redirect_uri");
      const pair = ctx.tokens.issuePair(app.clientId, userId, lifetime);
      return bearer(pair.accessToken, pair.refreshToken);
    }
    case "refresh_token": {
      const grantOf = ctx.tokens.redeemRefreshToken(form.get("refresh_token") ?? "");
      if (!grantOf || grantOf.clientId !== app.clientId) return fail("invalid_grant", "Invalid refresh token");
      const pair = ctx.tokens.issuePair(app.clientId, grantOf.userId, lifetime);
      return bearer(pair.accessToken, pair.refreshToken);
    }
    default:
      return fail("unsupported_grant_type", "Invalid grant_type parameter or parameter missing");
  }
}

/** `box_sub_type` of an assertion that checkAssertion accepted. */
function assertionSubjectType(assertion: string | null): unknown {
  const claims = (assertion ?? "").split(".")[1] ?? "";
  return (JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as Record<string, unknown>).box_sub_type;
}

/** Verifies a JWT assertion as Box does; returns Box's error_description, or undefined when it is good. */
function checkAssertion(ctx: OAuthParts, app: App, assertion: string): string | undefined {
  const parts = assertion.split(".");
  if (parts.length !== 3) return "Invalid JWT assertion";
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return "Invalid JWT assertion";
  }
  const hash = ({ RS256: "sha256", RS384: "sha384", RS512: "sha512" } as Record<string, string>)[String(header.alg)];
  if (!hash) return "Please check the 'alg' header. Supported algorithms are RS256, RS384 and RS512.";
  const key = app.keys.get(String(header.kid));
  if (!key) return "Please check the 'kid' header. The public key is not registered for this application.";
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify(hash, signed, key, Buffer.from(parts[2], "base64url"))) {
    return 'Signature verification error. The public key identified by "kid" must correspond to the private key used for signing.';
  }
  if (claims.iss !== app.clientId) return "Please check the 'iss' claim.";
  if (claims.aud !== JWT_AUDIENCE) return "Please check the 'aud' claim. Should match the token URL.";
  const { enterpriseId, userId } = ctx.account;
  const subject =
    claims.box_sub_type === "enterprise" ? enterpriseId : claims.box_sub_type === "user" ? userId : undefined;
  if (subject === undefined) return "Please check the 'box_sub_type' claim.";
  if (String(claims.sub) !== subject) return "Please check the 'sub' claim.";
  const nowSec = ctx.auth.now() / 1000;
  const exp = claims.exp;
  if (typeof exp !== "number") return "Please check the 'exp' claim.";
  if (exp <= nowSec) return "Current date/time MUST be before the expiration date/time listed in the 'exp' claim";
  if (exp > nowSec + MAX_EXP_AHEAD_SEC) {
    return "Please check the 'exp' claim. The 'exp' value exceeds the maximum value of 60 seconds beyond the issue time.";
  }
  const jti = claims.jti;
  if (typeof jti !== "string" || jti.length < 16 || jti.length > 128) return "Please check the 'jti' claim.";
  for (const [used, until] of ctx.auth.jtis) if (until < nowSec) ctx.auth.jtis.delete(used);
  if (ctx.auth.jtis.has(jti)) return "Please check the 'jti' claim. A unique 'jti' value is required.";
  ctx.auth.jtis.set(jti, exp);
  return undefined;
}

/**
 * `/api/oauth2/authorize`: GET shows a consent page whose form posts back here; POST answers the
 * form with a redirect to `redirect_uri` carrying a single-use code (30 s) and the `state`.
 * The emulator has one user and no login.
 */
export async function handleAuthorize(
  ctx: OAuthParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  let params = url.searchParams;
  if (req.method === "POST") {
    const body = await readBody(req, res);
    if (body === undefined) return;
    params = new URLSearchParams(body);
  } else if (req.method !== "GET") {
    return sendHtml(res, 405, "<p>Method Not Allowed</p>");
  }
  const clientId = params.get("client_id") ?? "";
  const redirectUri = params.get("redirect_uri") ?? "";
  const state = params.get("state");
  if (params.get("response_type") !== "code") return sendHtml(res, 400, "<p>response_type must be code</p>");
  if (!ctx.auth.apps.has(clientId)) return sendHtml(res, 400, "<p>Invalid client_id</p>");
  if (!/^https?:\/\//.test(redirectUri)) return sendHtml(res, 400, "<p>Invalid redirect_uri</p>");

  if (req.method === "GET") {
    const user = demoUser(ctx.account.userId) as { name: string; login: string };
    const hidden = ["response_type", "client_id", "redirect_uri", "state"]
      .filter((name) => params.get(name) !== null)
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) as string)}">`)
      .join("\n");
    return sendHtml(
      res,
      200,
      `<h1>Grant access to Box</h1>
<p>The application <b>${escapeHtml(clientId)}</b> would like to access the Box account of
${escapeHtml(user.name)} (${escapeHtml(user.login)}).</p>
<form method="post" action="/api/oauth2/authorize">
${hidden}
<button type="submit" name="consent" value="accept">Grant access to Box</button>
<button type="submit" name="consent" value="deny">Deny access</button>
</form>`,
    );
  }

  const target = new URL(redirectUri);
  if (params.get("consent") === "accept") {
    const code = ctx.tokens.remember(randomBytes(24).toString("base64url"));
    ctx.auth.codes.set(code, { clientId, redirectUri, expiresAt: Date.now() + CODE_LIFETIME_MS });
    target.searchParams.set("code", code);
  } else {
    target.searchParams.set("error", "access_denied");
    target.searchParams.set("error_description", "The user denied access to your application");
  }
  if (state !== null) target.searchParams.set("state", state);
  res.writeHead(302, { location: target.toString(), "content-length": 0 });
  res.end();
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  const html = Buffer.from(
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>Box emulator</title></head><body>\n${body}\n</body></html>\n`,
  );
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": html.length });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function delay(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
