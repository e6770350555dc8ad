import { ProxyRefusal } from "./dispatchers";
import { BoxError } from "../errors";
import { reason, ReasonKey } from "../reasons";

/** OpenSSL's verdicts on a certificate chain, as Node reports them in `err.code`. */
const NOT_TRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
]);
const CERTIFICATE_REASONS: Record<string, ReasonKey> = {
  CERT_HAS_EXPIRED: "certificateExpired",
  CERT_NOT_YET_VALID: "certificateNotYetValid",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificateNameMismatch",
  CERT_REVOKED: "certificateRevoked",
};
const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/**
 * A failed request as the stream acts on it: a certificate problem needs a person (red, no quick retries),
 * a refusing proxy and a network failure are retried with backoff, each with a reason that says which.
 */
export function transportError(err: unknown, proxied: boolean): BoxError {
  const codes = errorCodes(err);
  const code = codes[0];
  if (TIMEOUTS.has(code ?? "")) return new BoxError("network", "timeout", { code: "timeout" });
  // a proxy's own certificate fails inside undici's proxy error, so the whole chain is searched
  const certificate = codes
    .map((c) => CERTIFICATE_REASONS[c] ?? (NOT_TRUSTED.has(c) ? "certificateNotTrusted" : undefined))
    .find(Boolean);
  if (certificate) return new BoxError("certificate", reason(certificate), { code });
  const refusal = proxyRefusal(err, code, proxied);
  if (typeof refusal === "number")
    return new BoxError("proxy", reason("proxyRefused", { status: refusal }), { code, status: refusal });
  if (refusal) return new BoxError("proxy", reason(refusal === "reset" ? "proxyReset" : "proxyUnreachable"), { code });
  // the code only: an error's message may quote the host, which may come from a `${NAME}`
  return new BoxError("network", `network error (${code ?? "no code"})`, { code });
}

function proxyRefusal(err: unknown, code: string | undefined, proxied: boolean): ProxyRefusal["refusal"] | undefined {
  if (err instanceof ProxyRefusal) return err.refusal;
  // a plain http request the proxy answered with 407 (undici turns that answer into an error)
  if (code === "UND_ERR_INVALID_ARG" && /\(407\)/.test((err as Error).message)) return 407;
  if (!proxied) return undefined;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") return "unreachable";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return "reset";
  return undefined;
}

/** The codes of an error and of the errors it wraps, outermost first (undici wraps a few). */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === "string") codes.push(e.code);
    e = e.cause as typeof e;
  }
  return codes;
}
