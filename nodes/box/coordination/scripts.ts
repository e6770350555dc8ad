import type Redis from "ioredis";

/**
 * The Lua scripts of the lease and the checkpoint. Each compares the lease token first, in Redis, so that a
 * replica whose lease expired (paused, partitioned) can never renew, release or write what another now holds.
 */
const SCRIPTS = {
  // KEYS: lease, epoch; ARGV: token, ttl ms. The lease and its fencing epoch in one step: never one without the other.
  leaseAcquire: {
    numberOfKeys: 2,
    lua: `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`,
  },
  // KEYS: lease; ARGV: token, ttl ms
  leaseRenew: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`,
  },
  // KEYS: lease; ARGV: token
  leaseRelease: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
  },
  // KEYS: lease, epoch, checkpoint; ARGV: token, epoch, checkpoint JSON, its expiry in ms ("" deletes it)
  checkpointWrite: {
    numberOfKeys: 3,
    lua: `if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return 0
end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[3])
else
  redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
end
return 1`,
  },
} as const;

/** The scripts as methods of a client (ioredis `defineCommand`: EVALSHA, with EVAL when Redis lost the script). */
export interface CoordinationCommands {
  leaseAcquire(lease: string, epoch: string, token: string, ttlMs: number): Promise<number>;
  leaseRenew(lease: string, token: string, ttlMs: number): Promise<number>;
  leaseRelease(lease: string, token: string): Promise<number>;
  checkpointWrite(
    lease: string,
    epoch: string,
    checkpoint: string,
    token: string,
    fencingEpoch: string,
    value: string,
    expireMs: number,
  ): Promise<number>;
  get(key: string): Promise<string | null>;
}

/** The client with the coordination scripts defined on it (once per client). */
export function coordinationCommands(client: Redis): CoordinationCommands {
  const defined = client as unknown as Partial<CoordinationCommands>;
  if (typeof defined.leaseAcquire !== "function")
    for (const [name, script] of Object.entries(SCRIPTS)) client.defineCommand(name, script);
  return client as unknown as CoordinationCommands;
}
