import type Redis from "ioredis";
import { BoxError } from "../errors";
import { reason } from "../reasons";
import { holderOf } from "./lease";
import { closeRedisClient, createRedisClient } from "./redis-client";

/** The most leases the Test button lists, and how long it waits for Redis. */
const MAX_LEASES = 50;
const MAX_SCAN_ROUNDS = 200;
const READY_TIMEOUT_MS = 5000;

export interface LeaseHolder {
  /** The stream: the node id and its stream settings (the key without the prefix). */
  stream: string;
  /** Host and process id of the replica that holds it. */
  holder: string;
}

export interface RedisTestResult {
  latencyMs: number;
  leases: LeaseHolder[];
}

/** Pings Redis and lists who holds each lease under `prefix`. Rejects with a BoxError that never quotes the URL. */
export async function testRedis(url: string, prefix: string): Promise<RedisTestResult> {
  const client = createRedisClient(url);
  try {
    await ready(client);
    const started = Date.now();
    await client.ping();
    const latencyMs = Date.now() - started;
    return { latencyMs, leases: await leaseHolders(client, prefix) };
  } catch (err) {
    if (err instanceof BoxError) throw err;
    const refused = err instanceof Error && /NOAUTH|WRONGPASS|NOPERM/.test(err.message);
    throw new BoxError("coordination", reason(refused ? "redisAuthFailed" : "coordinationUnreachable"));
  } finally {
    await closeRedisClient(client);
  }
}

function ready(client: Redis): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error("timeout")), READY_TIMEOUT_MS);
    const onError = (err: Error) => {
      // an authentication error is final; a refused connection may still be retried until the timeout
      if (/NOAUTH|WRONGPASS|NOPERM/.test(err.message)) finish(err);
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      client.off("error", onError);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => finish();
    client.on("ready", onReady);
    client.on("error", onError);
  });
}

async function leaseHolders(client: Redis, prefix: string): Promise<LeaseHolder[]> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}:*:lease`;
  const keys: string[] = [];
  let cursor = "0";
  for (let round = 0; round < MAX_SCAN_ROUNDS && keys.length < MAX_LEASES; round++) {
    const [next, found] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
    keys.push(...found);
    cursor = next;
    if (cursor === "0") break;
  }
  const chosen = keys.slice(0, MAX_LEASES).sort();
  const tokens = chosen.length ? await client.mget(...chosen) : [];
  return chosen.flatMap((key, i) => {
    const token = tokens[i];
    return token ? [{ stream: key.slice(prefix.length + 1, -":lease".length), holder: holderOf(token) }] : [];
  });
}
