import { BoxError } from "../errors";
import { reason } from "../reasons";

export const DEFAULT_API_BASE_URL = "https://api.box.com";

/**
 * The origin tokens are sent to. Plain http is refused unless it is loopback (the local emulator),
 * so a typo in the config can never put a token on the wire in clear text.
 */
export function checkedApiOrigin(apiBaseUrl: string | undefined): string {
  const raw = (apiBaseUrl ?? "").trim() || DEFAULT_API_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BoxError("config", reason("invalidApiUrl"));
  }
  if (url.protocol === "https:") return url.origin;
  if (url.protocol === "http:" && isLoopback(url.hostname)) return url.origin;
  throw new BoxError("config", reason("apiUrlNotHttps"));
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
