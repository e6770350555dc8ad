import { checkedApiOrigin, DEFAULT_API_BASE_URL } from "../box/http/api-origin";
import { AuthType, createTokenSource, subjectTypeOf } from "../box/auth/auth-settings";
import { notAuthorized } from "../box/auth/oauth2";
import { DeveloperTokenSource } from "../box/auth/token-source";
import { BoxClient } from "../box/http/box-client";
import { BoxError } from "../box/errors";
import { HttpClient } from "../box/http/http";
import { RateGate } from "../box/http/rate-gate";
import { reason } from "../box/reasons";
import { resolveConfig } from "./settings";
import { Admin, credentialsFor, text, UNCHANGED } from "./admin-request";
import { BoxConfigNode } from "../shared/node-red-types";

/** A BoxClient built from what a config dialog shows, and how to close it. */
export interface DialogClient {
  api: BoxClient;
  close(): Promise<void>;
}

/** Dialog requests of config nodes not deployed yet share one gate: a 429 holds all of them back. */
const undeployedGate = new RateGate();

/**
 * A client acting with the settings and credentials the config dialog sends (Test connection, the folder
 * picker before deploy). A password left unchanged (`__PWRD__`) is the deployed node's, only toward its own
 * API origin. Never refreshes or writes the live OAuth 2 tokens. With `ownGate` (the picker's), the client
 * waits out a pause the config's requests are under, and a 429 it gets pauses only that gate.
 */
export async function dialogClient(
  admin: Admin,
  body: Record<string, unknown>,
  timeoutMs?: number,
  ownGate?: RateGate,
): Promise<DialogClient> {
  const id = typeof body.id === "string" ? body.id : "";
  const authType = (text(body.authType) ?? "ccg") as AuthType;
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
  const http = new HttpClient(proxy);
  try {
    const tokens =
      authType === "oauth2"
        ? new DeveloperTokenSource(
            await oauth2DialogToken(admin, id, given.accessToken, deployed),
            "accessTokenRefused",
          )
        : createTokenSource(auth, http, origin);
    const node = deployed ? (admin.RED.nodes.getNode(id) as BoxConfigNode | null) : null;
    const configGate = typeof node?.rateGate === "function" ? node.rateGate() : undeployedGate;
    if (ownGate) await configGate.wait(timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined);
    const rateGate = ownGate ?? configGate;
    const api = new BoxClient({ apiBaseUrl: origin, tokens, proxy, rateGate, requestTimeoutMs: timeoutMs });
    return { api, close: async () => void (await Promise.all([api.close(), http.close()])) };
  } catch (err) {
    await http.close();
    throw err;
  }
}

/**
 * The access token an OAuth 2 dialog request may use: one typed into the dialog, or the deployed node's
 * stored one while it is fresh. A refresh would rotate the single-use refresh token behind the running node's back.
 */
async function oauth2DialogToken(admin: Admin, id: string, typed: unknown, deployed: boolean): Promise<string> {
  const pasted = typeof typed === "string" && typed !== UNCHANGED ? typed.trim() : "";
  if (pasted) return pasted;
  const entry = deployed ? await admin.store.get(id) : undefined;
  if (entry?.accessToken && (entry.accessExpiresAt ?? 0) > Date.now() + 5000) return entry.accessToken;
  if (entry?.refreshToken && !entry.error) throw new BoxError("config", reason("noFreshAccessToken"));
  throw notAuthorized(entry);
}
