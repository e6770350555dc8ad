/**
 * What must survive a redeploy, a restart or a takeover by another replica so that nothing is lost or
 * emitted twice: a Box position and the ids that must not be emitted again from it on.
 */
export interface Checkpoint {
  /** Box's `next_stream_position`; absent only while an `admin_logs` stream started "now" has no position yet. */
  position?: string;
  /** `admin_logs` started "now": the start time (ISO 8601), sent as `created_after` until Box gives a position. */
  createdAfter?: string;
  /** Ids of events from `position` on that are done and must not be emitted again. */
  recentIds: string[];
  /**
   * `ack: "flow"`: ids emitted from `position` on but not acknowledged yet, with how often each was sent; they are
   * emitted again after a restart, with `msg.redelivered` counting on from here.
   */
  deliveries?: Record<string, number>;
}

/** Where a page of events begins or ends: a Box position, or (admin_logs started "now", no position yet) a start time. */
export type PagePoint = Pick<Checkpoint, "position" | "createdAfter">;

/**
 * Where a stream's checkpoint lives between runs. One interface, two backings: the node's context (one runtime)
 * and Redis (replicas, written only by the lease holder with its fencing epoch). The delivery policy in front of
 * it ("delivered" or acknowledged by the flow) decides when to commit; the store decides where, and whether this
 * runtime may still write at all.
 */
export interface PositionStore {
  /** The checkpoint to continue from, or undefined to begin where the node's start setting says. */
  load(): Promise<Checkpoint | undefined>;
  /**
   * Saves the checkpoint. Rejects with a BoxError of kind `standby` when this runtime may no longer run the stream
   * (another replica holds it now): the stream must stop emitting at once.
   */
  commit(checkpoint: Checkpoint): Promise<void>;
  /** The node was deleted: its checkpoint goes with it. */
  forget(): Promise<void>;
}
