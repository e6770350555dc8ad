import { randomBytes } from "crypto";
import os from "os";
import { BoxError } from "../errors";
import { CoordinationCommands } from "./scripts";

/** The Redis keys of one stream: its lease, its fencing epoch and its checkpoint. */
export interface StreamKeys {
  lease: string;
  epoch: string;
  checkpoint: string;
}

/** Keys from the prefix, the node's id and its stream settings, so that a changed start setting begins afresh. */
export function streamKeys(prefix: string, nodeId: string, streamSettings: string): StreamKeys {
  const base = `${prefix}:${nodeId}:${streamSettings}`;
  return { lease: `${base}:lease`, epoch: `${base}:epoch`, checkpoint: `${base}:checkpoint` };
}

/**
 * A token unique to one acquisition. It starts with the host and process, which the Test button shows as the
 * holder; the random part is what makes it a token (two processes on one host, or one acquiring twice, differ).
 */
export function leaseToken(): string {
  return `${os.hostname()}/${process.pid}/${randomBytes(12).toString("base64url")}`;
}

/** The holder part of a token (host and process), for people. */
export function holderOf(token: string): string {
  return token.split("/").slice(0, 2).join("/");
}

/**
 * One stream's lease in Redis: `SET NX PX` with a fresh token and a fencing epoch from `INCR`, renewed and
 * released by compare-first scripts. "Safe" only while the last successful acquire or renew started less than
 * TTL/2 ago (measured from before the command was sent), so a holder stops before its lease can pass on.
 */
export class Lease {
  private token?: string;
  private fencingEpoch?: number;
  private confirmedAt = -Infinity;

  constructor(
    private readonly redis: CoordinationCommands,
    private readonly keys: StreamKeys,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this replica now holds the lease. Rejects when Redis cannot be reached. */
  async acquire(): Promise<boolean> {
    const token = leaseToken();
    const sentAt = this.now();
    const epoch = await this.redis.leaseAcquire(this.keys.lease, this.keys.epoch, token, this.ttlMs);
    if (!epoch) return false;
    [this.token, this.fencingEpoch, this.confirmedAt] = [token, epoch, sentAt];
    return true;
  }

  /** True when still held (its TTL starts again); false when it expired or another replica holds it now. */
  async renew(): Promise<boolean> {
    if (!this.token) return false;
    const sentAt = this.now();
    const renewed = await this.redis.leaseRenew(this.keys.lease, this.token, this.ttlMs);
    if (renewed) this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    else this.forgetToken();
    return renewed === 1;
  }

  /** Gives the lease up so that another replica takes over at once; a lease no longer held is left alone. */
  async release(): Promise<void> {
    const token = this.token;
    this.forgetToken();
    if (token) await this.redis.leaseRelease(this.keys.lease, token);
  }

  /** True while this replica may emit: it holds the lease and confirmed it less than TTL/2 ago. */
  safe(): boolean {
    return this.token !== undefined && this.now() - this.confirmedAt < this.ttlMs / 2;
  }

  /** The token and fencing epoch a checkpoint write must carry; a `standby` BoxError once the lease is gone. */
  fence(): { token: string; epoch: string } {
    if (!this.token || this.fencingEpoch === undefined) throw new BoxError("standby", "lease not held");
    return { token: this.token, epoch: String(this.fencingEpoch) };
  }

  get epoch(): number | undefined {
    return this.fencingEpoch;
  }

  /** When the lease stops being safe unless a renew succeeds first (ms since the epoch of `now`). */
  get safeUntil(): number {
    return this.confirmedAt + this.ttlMs / 2;
  }

  private forgetToken(): void {
    this.token = undefined;
    this.confirmedAt = -Infinity;
  }
}
