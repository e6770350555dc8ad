import { checkedApiOrigin } from "./box/api-origin";
import { AuthSettings } from "./box/auth/auth-settings";
import { readJwtConfigFile } from "./box/auth/jwt-config-file";
import { credentialsFromEnvironment, fromEnvironment } from "./box/env-references";
import { BoxError } from "./box/errors";
import { reason } from "./box/reasons";
import { ProxyConfigNode, proxyFromConfigNode, proxyFromEnvironment, ProxySettings } from "./box/proxy-settings";
import { NodeAPI } from "./node-red-types";

/** A box-config as the flow stores it (credentials apart). */
export interface BoxConfigProperties {
  authType?: AuthSettings["authType"];
  apiBaseUrl?: string;
  subjectType?: AuthSettings["subjectType"];
  subjectId?: string;
  proxy?: string;
  jwtConfigPath?: string;
}

export type Credentials = Partial<
  Pick<AuthSettings, "clientId" | "clientSecret" | "accessToken" | "refreshToken" | "jwtConfig">
>;

/** Everything a box-config's requests need, resolved from its properties, credentials and the host. */
export interface ResolvedConfig {
  origin: string;
  auth: AuthSettings;
  proxy: ProxySettings;
}

/**
 * The one place a box-config's properties become settings: the API origin, the proxy (an `http proxy`
 * node, else the environment), `${NAME}` credentials from the environment and the JWT config file.
 * Anything wrong is a `config` BoxError saying what (a variable's or file's name, never a value).
 */
export function resolveConfig(RED: NodeAPI, def: BoxConfigProperties, credentials: Credentials): ResolvedConfig {
  const proxy = resolveProxy(RED, def.proxy);
  const origin = checkedApiOrigin(def.apiBaseUrl);
  const auth: AuthSettings = {
    authType: def.authType ?? "ccg",
    subjectType: def.subjectType,
    subjectId: fromEnvironment(def.subjectId),
    ...credentialsFromEnvironment(credentials),
  };
  const path = fromEnvironment(def.jwtConfigPath?.trim());
  if (auth.authType === "jwt" && path) auth.jwtConfig = readJwtConfigFile(path);
  return { origin, auth, proxy };
}

/** The proxy the `proxy` property names, or the environment's when it names none. */
export function resolveProxy(RED: NodeAPI, proxyNodeId: string | undefined): ProxySettings {
  if (!proxyNodeId) return proxyFromEnvironment();
  const node = RED.nodes.getNode(proxyNodeId) as ProxyConfigNode | null;
  if (!node) throw new BoxError("config", reason("missingProxyConfig"));
  return proxyFromConfigNode(node);
}
