/** Where replicas coordinate, once checked: the Redis URL (resolved, a secret), the key prefix and the lease TTL. */
export interface CoordinationSettings {
  redisUrl: string;
  prefix: string;
  leaseTtlMs: number;
}
