import { checkedApiOrigin } from "../box/http/api-origin";
import { AuthSettings } from "../box/auth/auth-settings";
import { readJwtConfigFile } from "../box/auth/jwt-config-file";
import { credentialsFromEnvironment, fromEnvironment, referencedName } from "../box/env-references";
import { BoxError } from "../box/errors";
import { reason } from "../box/reasons";
import { ProxyConfigNode, proxyFromConfigNode, proxyFromEnvironment, ProxySettings } from "../box/http/proxy-settings";
import { BoxCredentials } from "./credentials";
import { NodeAPI } from "../shared/node-red-types";

/** A box-config as the flow stores it (credentials apart). */
export interface BoxConfigProperties {
  authType?: AuthSettings["authType"];
  apiBaseUrl?: string;
  subjectType?: AuthSettings["subjectType"];
  subjectId?: string;
  proxy?: string;
  jwtConfigPath?: string;
}

export type Credentials = Partial<BoxCredentials>;

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
 * `hostSecretsFor` says whether the host's secrets (environment, files) may go to that origin at all.
 */
export function resolveConfig(
  RED: NodeAPI,
  def: BoxConfigProperties,
  credentials: Credentials,
  hostSecretsFor: (origin: string) => boolean = () => true,
): ResolvedConfig {
  const proxy = resolveProxy(RED, def.proxy);
  const origin = checkedApiOrigin(def.apiBaseUrl);
  const fromHost = [def.subjectId, ...Object.values(credentials)].some((value) => referencedName(value));
  const path = def.authType === "jwt" ? def.jwtConfigPath?.trim() : undefined;
  if ((fromHost || path) && !hostSecretsFor(origin)) throw new BoxError("config", reason("hostSecretsElsewhere"));
  const auth: AuthSettings = {
    authType: def.authType ?? "ccg",
    subjectType: def.subjectType,
    subjectId: fromEnvironment(def.subjectId),
    ...credentialsFromEnvironment(credentials),
  };
  if (path) auth.jwtConfig = readJwtConfigFile(fromEnvironment(path) as string);
  return { origin, auth, proxy };
}

/** The proxy the `proxy` property names, or the environment's when it names none. */
export function resolveProxy(RED: NodeAPI, proxyNodeId: string | undefined): ProxySettings {
  if (!proxyNodeId) return proxyFromEnvironment();
  const node = RED.nodes.getNode(proxyNodeId) as ProxyConfigNode | null;
  if (!node) throw new BoxError("config", reason("missingProxyConfig"));
  return proxyFromConfigNode(node);
}
