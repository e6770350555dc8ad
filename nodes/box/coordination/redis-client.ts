import Redis, { RedisOptions } from "ioredis";
import { BoxError } from "../errors";
import { reason } from "../reasons";

/** How long a connection attempt or a command may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 5000;
const COMMAND_TIMEOUT_MS = 3000;
/** Reconnects come ever slower, but never slower than this: a Redis that comes back is found within a second or two. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * The connection settings of a `redis://` or `rediss://` URL (user, password, database number), checked. Query
 * parameters are ignored on purpose: ioredis would take them as client options and could undo the ones below.
 * Anything wrong is a `config` BoxError that never quotes the URL (it may hold a password).
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new BoxError("config", reason("invalidRedisUrl"));
  }
  if ((parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") || !parsed.hostname)
    throw new BoxError("config", reason("invalidRedisUrl"));
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new BoxError("config", reason("invalidRedisUrl"));
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === "rediss:") options.tls = { servername: options.host };
  return options;
}

/**
 * A Redis client that can never crash Node-RED or stall a stream: commands fail at once while the connection
 * is down (no offline queue, one attempt), it reconnects for ever at a bounded pace, and its `error` events
 * always have a listener. `onError` hears of them (without the URL).
 */
export function createRedisClient(url: string, onError: (err: Error) => void = () => {}): Redis {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(100 * times, MAX_RECONNECT_DELAY_MS),
    // a replica that cannot reach Redis must not also fail on a Redis that went read-only behind a failover
    reconnectOnError: (err) => err.message.startsWith("READONLY"),
    lazyConnect: false,
  });
  client.on("error", onError);
  return client;
}

/** Closes a client without waiting for a Redis that may not answer. */
export async function closeRedisClient(client: Redis): Promise<void> {
  try {
    await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  } catch {
    // already closed or unreachable: disconnect below ends it either way
  }
  client.disconnect();
}

/** Resolves once the client is connected, or after `ms` (or when `signal` aborts), whichever comes first. */
export function connected(client: Redis, ms: number, signal?: AbortSignal): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.on("ready", done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
