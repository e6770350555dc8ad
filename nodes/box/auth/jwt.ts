import { createPrivateKey, randomBytes, sign, type KeyObject } from "crypto";
import { reason } from "../reasons";
import { BoxError } from "../errors";
import { HttpClient } from "../http/http";
import { requestToken, TokenRequestError } from "./token-endpoint";
import { CachingTokenSource, MintedToken } from "./token-source";

/** Box checks `aud` against this exact string, whichever host the assertion is posted to. */
export const JWT_AUDIENCE = "https://api.box.com/oauth2/token";
export const JWT_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** Box refuses an `exp` more than 60 s ahead of its own clock; 45 s leaves room for a slow request. */
const ASSERTION_LIFETIME_SEC = 45;

/** The parts of Box's downloaded JWT app config that signing needs; the key is already decrypted. */
export interface JwtApp {
  clientId: string;
  clientSecret: string;
  publicKeyId: string;
  privateKey: KeyObject;
  enterpriseId?: string;
}

export interface JwtSubject {
  type: "enterprise" | "user";
  id: string;
}

/**
 * Reads the JSON file Box's developer console downloads ("Generate a Public/Private Keypair").
 * Everything wrong with it is a `config` error with a short reason; nothing is sent to Box.
 */
export function parseJwtConfig(text: string): JwtApp {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new BoxError("config", reason("jwtConfigNotJson"));
  }
  const settings = field(config, "boxAppSettings");
  const appAuth = field(settings, "appAuth");
  const need = (owner: unknown, name: string): string => {
    const value = field(owner, name);
    if (typeof value === "number") return String(value);
    if (typeof value !== "string" || !value.trim()) throw lacks(name);
    return value.trim();
  };
  const clientId = need(settings, "clientID");
  const clientSecret = need(settings, "clientSecret");
  const publicKeyId = need(appAuth, "publicKeyID");
  const pem = need(appAuth, "privateKey");
  const passphrase = optional(appAuth, "passphrase");
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: pem,
      format: "pem",
      passphrase: typeof passphrase === "string" ? passphrase : undefined,
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    // a wrong passphrase now and then decrypts to bytes with valid padding, and then fails as a malformed key
    const badPassphrase =
      code === "ERR_OSSL_BAD_DECRYPT" ||
      code === "ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED" ||
      code === "ERR_MISSING_PASSPHRASE" ||
      pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    throw new BoxError("config", reason(badPassphrase ? "wrongJwtPassphrase" : "invalidJwtKey"));
  }
  if (privateKey.asymmetricKeyType !== "rsa") throw new BoxError("config", reason("jwtKeyNotRsa"));
  const enterprise = optional(config, "enterpriseID");
  const enterpriseId =
    typeof enterprise === "number" ? String(enterprise) : typeof enterprise === "string" ? enterprise.trim() : "";
  return {
    clientId,
    clientSecret,
    publicKeyId,
    privateKey,
    enterpriseId: enterpriseId && enterpriseId !== "0" ? enterpriseId : undefined,
  };
}

/** A signed RS256 assertion for `subject`, expiring 45 s after `nowMs` (the caller's best idea of Box's clock). */
export function signAssertion(app: JwtApp, subject: JwtSubject, nowMs: number): string {
  const nowSec = Math.floor(nowMs / 1000);
  const header = { alg: "RS256", typ: "JWT", kid: app.publicKeyId };
  const claims = {
    iss: app.clientId,
    sub: subject.id,
    box_sub_type: subject.type,
    aud: JWT_AUDIENCE,
    jti: randomBytes(32).toString("base64url"),
    exp: nowSec + ASSERTION_LIFETIME_SEC,
    iat: nowSec,
  };
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), app.privateKey).toString("base64url")}`;
}

/**
 * JWT grant. When Box refuses the assertion's `exp`, the host clock is off: retry once with the time
 * from Box's `Date` header (as Box's SDKs do) and keep that offset for later assertions.
 */
export function jwtTokenSource(http: HttpClient, origin: string, app: JwtApp, subject: JwtSubject): CachingTokenSource {
  let offsetMs = 0;
  const attempt = (): Promise<MintedToken> =>
    requestToken(http, origin, {
      grant_type: JWT_GRANT_TYPE,
      assertion: signAssertion(app, subject, Date.now() + offsetMs),
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
  return new CachingTokenSource(async () => {
    try {
      return await attempt();
    } catch (err) {
      if (!isExpRefusal(err)) throw explain(err);
      if (err.serverDateMs === undefined) throw err.withReason(reason("clockSkew"));
      offsetMs = err.serverDateMs - Date.now();
    }
    try {
      return await attempt();
    } catch (err) {
      throw isExpRefusal(err) ? err.withReason(reason("clockSkew")) : explain(err);
    }
  });
}

function isExpRefusal(err: unknown): err is TokenRequestError {
  return (
    err instanceof TokenRequestError &&
    err.details.code === "invalid_grant" &&
    /'exp'|"exp"|\bexp\b/.test(err.details.description ?? "")
  );
}

function explain(err: unknown): unknown {
  if (err instanceof TokenRequestError && err.details.code === "invalid_grant") {
    const description = err.details.description ?? "";
    if (/signature|'kid'/i.test(description)) return err.withReason(reason("jwtKeyNotAccepted"));
    if (/'jti'/.test(description)) return err.withReason(reason("jwtAssertionReplayed"));
    return err.withReason(reason("jwtGrantRefused"));
  }
  return err;
}

function lacks(field: string): BoxError {
  return new BoxError("config", reason("jwtConfigLacks", { field }));
}

function field(owner: unknown, name: string): unknown {
  if (owner === null || typeof owner !== "object") throw lacks(name);
  const value = (owner as Record<string, unknown>)[name];
  if (value === undefined || value === null) throw lacks(name);
  return value;
}

function optional(owner: unknown, name: string): unknown {
  return owner !== null && typeof owner === "object" ? (owner as Record<string, unknown>)[name] : undefined;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
