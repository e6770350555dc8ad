import { Checkpoint, PositionStore } from "./position-store";
import { isStreamPosition } from "./stream-position";

/** Where a stream keeps its checkpoint between runs (the node's context in Node-RED, a Map in tests). */
export interface KeyValueStore {
  get(keys: string[]): Promise<unknown[]>;
  set(keys: string[], values: unknown[]): Promise<void>;
}

export interface SavedCheckpoint {
  startedFrom: string;
  checkpoint: Checkpoint;
}

const KEYS = ["position", "recentEventIds", "startedFrom", "createdAfter", "deliveries"];
/** More unacknowledged ids than any `maxInFlight` allows come from a damaged store, not from us. */
const MAX_DELIVERIES = 100_000;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * The last delivered position and the ids just before it, kept twice: in `store` (a persistent
 * context store makes it survive restarts) and in `inProcess`, because Node-RED deletes a node's
 * context on every redeploy when no context store is configured. `startedFrom` records the start
 * setting the checkpoint grew from, so a user who enters a new start position is not overruled.
 */
export class CheckpointStore implements PositionStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly startedFrom: string,
    private readonly inProcess: Map<string, SavedCheckpoint>,
    private readonly key: string,
  ) {}

  async load(): Promise<Checkpoint | undefined> {
    const kept = this.inProcess.get(this.key);
    if (kept) return kept.startedFrom === this.startedFrom ? kept.checkpoint : undefined;
    const [position, recentIds, startedFrom, createdAfter, deliveries] = await this.store.get(KEYS);
    if (startedFrom !== this.startedFrom) return undefined;
    const ids = Array.isArray(recentIds) ? recentIds.filter((id) => typeof id === "string") : [];
    const counts = sendCounts(deliveries);
    const extra = counts ? { deliveries: counts } : {};
    if (typeof position === "string" && isStreamPosition(position)) return { position, recentIds: ids, ...extra };
    if (typeof createdAfter === "string" && ISO_TIME.test(createdAfter))
      return { createdAfter, recentIds: ids, ...extra };
    return undefined;
  }

  commit(checkpoint: Checkpoint): Promise<void> {
    this.inProcess.set(this.key, { startedFrom: this.startedFrom, checkpoint });
    const { position, recentIds, createdAfter, deliveries } = checkpoint;
    return this.store.set(KEYS, [
      position,
      recentIds,
      this.startedFrom,
      position === undefined ? createdAfter : undefined,
      deliveries,
    ]);
  }

  /** The node was deleted: its position goes with it. */
  async forget(): Promise<void> {
    this.inProcess.delete(this.key);
  }
}

/** `ack: "flow"`: the saved send counts of unacknowledged ids; anything malformed is left out. */
function sendCounts(value: unknown): Record<string, number> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const counts = Object.entries(value)
    .filter(([, count]) => Number.isSafeInteger(count) && count > 0)
    .slice(0, MAX_DELIVERIES);
  // fromEntries defines own properties: an event id is network data, "__proto__" included
  return counts.length > 0 ? Object.fromEntries(counts) : undefined;
}
