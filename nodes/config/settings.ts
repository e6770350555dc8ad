import { checkedApiOrigin } from "../box/http/api-origin";
import { AuthSettings } from "../box/auth/auth-settings";
import { readJwtConfigFile } from "../box/auth/jwt-config-file";
import { credentialsFromEnvironment, fromEnvironment, referencedName } from "../box/env-references";
import { CoordinationSettings } from "../box/coordination/coordination-settings";
import { redisOptionsFromUrl } from "../box/coordination/redis-client";
import { BoxError } from "../box/errors";
import { reason } from "../box/reasons";
import { ProxyConfigNode, proxyFromConfigNode, proxyFromEnvironment, ProxySettings } from "../box/http/proxy-settings";
import { boxCredentials, BoxCredentials } from "./credentials";
import { NodeAPI } from "../shared/node-red-types";

/** A box-config as the flow stores it (credentials apart). */
export interface BoxConfigProperties {
  authType?: AuthSettings["authType"];
  apiBaseUrl?: string;
  subjectType?: AuthSettings["subjectType"];
  subjectId?: string;
  proxy?: string;
  jwtConfigPath?: string;
  haPrefix?: string;
  /** seconds; the dialog saves a number, hand-edited flows may hold a numeric string */
  haLeaseTtl?: number | string;
}

export type { CoordinationSettings };
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
  const signIn = boxCredentials(credentials);
  const fromHost = [def.subjectId, ...Object.values(signIn)].some((value) => referencedName(value));
  const path = def.authType === "jwt" ? def.jwtConfigPath?.trim() : undefined;
  if ((fromHost || path) && !hostSecretsFor(origin)) throw new BoxError("config", reason("hostSecretsElsewhere"));
  const auth: AuthSettings = {
    authType: def.authType ?? "ccg",
    subjectType: def.subjectType,
    subjectId: fromEnvironment(def.subjectId),
    ...credentialsFromEnvironment(signIn),
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

const DEFAULT_PREFIX = "boxstream";
const DEFAULT_LEASE_TTL_SEC = 10;
const MIN_LEASE_TTL_SEC = 3;
/** An hour: a longer lease only delays a takeover after a crash. */
const MAX_LEASE_TTL_SEC = 3600;

/**
 * Coordination settings, or undefined without a `redisUrl` (one runtime, today's behaviour). A `${NAME}` URL comes
 * from the environment; anything wrong is a `config` BoxError that names no value (the URL holds a password).
 */
export function resolveCoordination(
  def: BoxConfigProperties,
  credentials: Credentials,
): CoordinationSettings | undefined {
  const written = credentials.redisUrl?.trim();
  if (!written) return undefined;
  const redisUrl = fromEnvironment(written) as string;
  redisOptionsFromUrl(redisUrl);
  const ttl = def.haLeaseTtl === undefined || def.haLeaseTtl === "" ? DEFAULT_LEASE_TTL_SEC : Number(def.haLeaseTtl);
  if (!Number.isFinite(ttl) || ttl < MIN_LEASE_TTL_SEC || ttl > MAX_LEASE_TTL_SEC)
    throw new BoxError("config", reason("invalidLeaseTtl"));
  const prefix = def.haPrefix?.trim() || DEFAULT_PREFIX;
  return { redisUrl: redisUrl.trim(), prefix, leaseTtlMs: Math.round(ttl * 1000) };
}
