import { checkedApiOrigin } from "../box/http/api-origin";
import { OAuth2Client } from "../box/auth/oauth2";
import { TokenStore } from "../box/auth/token-store";
import { BoxError } from "../box/errors";
import { ProxySettings } from "../box/http/proxy-settings";
import { reason } from "../box/reasons";
import { CREDENTIAL_KEYS, CredentialKey } from "./credentials";
import { Credentials } from "./settings";
import { BoxConfigNode, NodeAPI } from "../shared/node-red-types";
import { reasonText } from "../shared/reason-text";

/** Node-RED's stand-in for a password the editor did not change. */
export const UNCHANGED = "__PWRD__";

export interface Request {
  body?: Record<string, unknown>;
  query: Record<string, unknown>;
}
export interface Response {
  status(code: number): Response;
  json(body: unknown): void;
  set(name: string, value: string): Response;
  send(body: string): void;
}

export interface PendingAuthorization extends OAuth2Client {
  id: string;
  origin: string;
  proxy: ProxySettings;
  redirectUri: string;
  expiresAt: number;
}

/** What every handler needs: the runtime, the shared token store, and the OAuth 2 authorizations under way. */
export interface Admin {
  RED: NodeAPI;
  store: TokenStore;
  pending: Map<string, PendingAuthorization>;
}

/**
 * The credentials a dialog request may use: what was typed, and for a password left unchanged (`__PWRD__`)
 * the deployed node's own, only when the request goes to that node's API origin. `deployed` is set when the
 * id is a deployed box-config whose origin is `origin`: its stored OAuth 2 tokens may be used too.
 */
export function credentialsFor(
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
      if (!deployed) throw new BoxError("config", reason("storedSecretsElsewhere"));
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
export function reasonOf(admin: Admin, err: unknown): string {
  return err instanceof BoxError ? reasonText(admin.RED._, err) : "unexpected error";
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export type User = { id?: string; name?: string; login?: string };

export function userOf(me: Record<string, unknown>): User {
  const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : undefined);
  return { id: text(me.id), name: text(me.name), login: text(me.login) };
}
