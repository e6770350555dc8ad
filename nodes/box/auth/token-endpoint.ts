import { BoxError } from "../errors";
import { Reason, reason, ReasonKey } from "../reasons";
import { errorFromResponse, HttpClient, parseJsonObject } from "../http/http";
import { MintedToken } from "./token-source";

const TOKEN_TIMEOUT_MS = 30_000;
/** A token answer is a few hundred bytes. */
const TOKEN_MAX_BYTES = 64 * 1024;

/** Box's answers to a refused grant, as short reasons a person can act on. */
const GRANT_ERRORS: Record<string, ReasonKey> = {
  invalid_client: "wrongClient",
  unauthorized_client: "appNotAuthorized",
  invalid_grant: "grantRefused",
  invalid_request: "invalidTokenRequest",
  unsupported_grant_type: "grantTypeNotEnabled",
};

/** A refused or failed token request, with the server's clock (its `Date` header) for clock-skew correction. */
export class TokenRequestError extends BoxError {
  constructor(
    kind: BoxError["kind"],
    message: string | Reason,
    details: BoxError["details"],
    readonly serverDateMs?: number,
  ) {
    super(kind, message, details);
  }

  /** The same refusal with a reason that names what to fix. */
  withReason(why: Reason): TokenRequestError {
    return new TokenRequestError(this.kind, why, this.details, this.serverDateMs);
  }
}

export interface TokenResponse extends MintedToken {
  refreshToken?: string;
}

/** POST {origin}/oauth2/token with a form; a refused grant is `unauthorized`, anything else is retryable. */
export async function requestToken(
  http: HttpClient,
  origin: string,
  form: Record<string, string>,
  signal?: AbortSignal,
): Promise<TokenResponse> {
  const res = await http.send({
    method: "POST",
    url: `${origin}/oauth2/token`,
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
    signal,
    timeoutMs: TOKEN_TIMEOUT_MS,
    maxBytes: TOKEN_MAX_BYTES,
  });
  const body = parseJsonObject(res.text);
  if (res.status === 200 && body && typeof body.access_token === "string") {
    const expiresIn = Number(body.expires_in);
    return {
      accessToken: body.access_token,
      expiresInSec: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
      refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : undefined,
    };
  }
  const code = typeof body?.error === "string" ? body.error : undefined;
  const rawDate = res.headers.date;
  const serverDate = Date.parse(String(Array.isArray(rawDate) ? rawDate[0] : (rawDate ?? "")));
  const fail = (kind: BoxError["kind"], message: string | Reason, details: BoxError["details"]) =>
    new TokenRequestError(kind, message, details, Number.isNaN(serverDate) ? undefined : serverDate);
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    const grantError = code && Object.hasOwn(GRANT_ERRORS, code) ? GRANT_ERRORS[code] : undefined;
    const why = grantError ? reason(grantError) : reason("tokenRequestRefused", { status: res.status });
    const description = typeof body?.error_description === "string" ? body.error_description : undefined;
    throw fail("unauthorized", why, { status: res.status, code, description });
  }
  if (res.status === 429 || res.status >= 500) {
    const err = errorFromResponse(res, "token request");
    throw fail(err.kind, err.message, err.details);
  }
  throw fail("protocol", `token request: unexpected answer (HTTP ${res.status})`, { status: res.status, code });
}
