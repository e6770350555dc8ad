import { checkedApiOrigin, DEFAULT_API_BASE_URL } from "../box/http/api-origin";
import { AuthType, createTokenSource, subjectTypeOf } from "../box/auth/auth-settings";
import { getCurrentUser } from "../box/auth/current-user";
import { notAuthorized } from "../box/auth/oauth2";
import { DeveloperTokenSource } from "../box/auth/token-source";
import { BoxClient } from "../box/http/box-client";
import { BoxError } from "../box/errors";
import { HttpClient } from "../box/http/http";
import { reason } from "../box/reasons";
import { resolveConfig } from "./settings";
import { Admin, credentialsFor, reasonOf, Request, Response, text, UNCHANGED, userOf } from "./admin-request";

/** Test connection: who the credentials sign in as. Never refreshes or writes the live OAuth 2 tokens. */
export async function handleTest(admin: Admin, req: Request, res: Response): Promise<void> {
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
