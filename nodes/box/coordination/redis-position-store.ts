import { BoxError } from "../errors";
import { Checkpoint, PositionStore } from "../events/position-store";
import { isStreamPosition } from "../events/stream-position";
import { reason } from "../reasons";
import { Lease, StreamKeys } from "./lease";
import { CoordinationCommands } from "./scripts";

/** Box keeps events about a month: a checkpoint no replica wrote for longer is worth nothing and leaves Redis. */
const CHECKPOINT_LIFETIME_MS = 35 * 24 * 3600_000;
/** A checkpoint is a position and a few thousand ids; anything far larger is not one of ours. */
const MAX_CHECKPOINT_BYTES = 4 * 1024 * 1024;
const MAX_IDS = 10_000;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * The checkpoint in Redis beside the lease, written only by a script that checks the lease token and the fencing
 * epoch: a replica that lost its lease can never move the position back or forward. The whole checkpoint is kept
 * (acknowledged delivery's `deliveries` too). A refused or failed write rejects with a `standby` BoxError.
 */
export class RedisPositionStore implements PositionStore {
  constructor(
    private readonly redis: CoordinationCommands,
    private readonly keys: StreamKeys,
    private readonly lease: Lease,
  ) {}

  async load(): Promise<Checkpoint | undefined> {
    let stored: string | null;
    try {
      stored = await this.redis.get(this.keys.checkpoint);
    } catch {
      throw new BoxError("coordination", reason("coordinationUnreachable"));
    }
    return stored ? parseCheckpoint(stored) : undefined;
  }

  commit(checkpoint: Checkpoint): Promise<void> {
    return this.write(JSON.stringify({ epoch: this.lease.epoch, checkpoint }));
  }

  /** The node was deleted: its checkpoint goes, if this replica still holds the stream. */
  forget(): Promise<void> {
    return this.write("");
  }

  private async write(value: string): Promise<void> {
    const { token, epoch } = this.lease.fence();
    const { lease, epoch: epochKey, checkpoint } = this.keys;
    let written: number;
    try {
      written = await this.redis.checkpointWrite(
        lease,
        epochKey,
        checkpoint,
        token,
        epoch,
        value,
        CHECKPOINT_LIFETIME_MS,
      );
    } catch {
      throw new BoxError("standby", reason("coordinationUnreachable"));
    }
    if (written !== 1) throw new BoxError("standby", reason("standby"));
  }
}

/** A stored checkpoint, checked field by field as bytes from the network; undefined when it is not one. */
export function parseCheckpoint(stored: string): Checkpoint | undefined {
  if (stored.length > MAX_CHECKPOINT_BYTES) return undefined;
  let value: unknown;
  try {
    value = (JSON.parse(stored) as { checkpoint?: unknown }).checkpoint;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object") return undefined;
  const { position, createdAfter, recentIds, deliveries } = value as Record<string, unknown>;
  const ids = Array.isArray(recentIds)
    ? recentIds.filter((id): id is string => typeof id === "string").slice(-MAX_IDS)
    : [];
  const checkpoint: Checkpoint = { recentIds: ids };
  if (typeof position === "string" && isStreamPosition(position)) checkpoint.position = position;
  else if (typeof createdAfter === "string" && ISO_TIME.test(createdAfter)) checkpoint.createdAfter = createdAfter;
  else return undefined;
  const counts = deliveriesOf(deliveries);
  if (counts) checkpoint.deliveries = counts;
  return checkpoint;
}

function deliveriesOf(value: unknown): Record<string, number> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const counts: Record<string, number> = {};
  for (const [id, count] of Object.entries(value).slice(0, MAX_IDS))
    if (typeof count === "number" && Number.isFinite(count) && count >= 0) counts[id] = count;
  return counts;
}
