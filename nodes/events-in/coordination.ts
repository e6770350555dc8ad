import type Redis from "ioredis";
import { CoordinationSettings } from "../box/coordination/coordination-settings";
import { Lease, streamKeys, StreamKeys } from "../box/coordination/lease";
import { keepLease } from "../box/coordination/lease-keeper";
import { closeRedisClient, connected, createRedisClient } from "../box/coordination/redis-client";
import { RedisPositionStore } from "../box/coordination/redis-position-store";
import { coordinationCommands, CoordinationCommands } from "../box/coordination/scripts";
import { BoxError } from "../box/errors";
import { Checkpoint, PositionStore } from "../box/events/position-store";
import { reason } from "../box/reasons";
import { sleep } from "../box/sleep";
import { Node, NodeStatus } from "../shared/node-red-types";
import { BoxEventsInDef, startFromOf } from "./definition";
import { StatusTexts } from "./status";

/** A standby asks for the lease about once a second, spread so that replicas do not ask in step. */
const ACQUIRE_INTERVAL_MS = 1000;
const ACQUIRE_JITTER = 0.25;
/** How long the first attempt waits for the connection (commands fail at once while it is not up). */
const FIRST_CONNECT_MS = 3000;

/** One holder's run of the stream, as the node builds it. */
export interface StreamTerm {
  /** Settles when the stream stopped (its signal aborted, or it could not start). */
  running: Promise<void>;
  /** After `running`: saves what a clean close must save (a delivered page), or forgets a deleted node's checkpoint. */
  closed(removed: boolean): Promise<void>;
}

/**
 * Starts the stream with a store and a signal. `mayEmit` throws (and stops the stream) when this replica may no
 * longer send messages: call it right before sending a page.
 */
export type StartTerm = (store: PositionStore, signal: AbortSignal, mayEmit: () => void) => StreamTerm;

export interface CoordinationStatus {
  standby: NodeStatus;
  unreachable: NodeStatus;
}

/**
 * Runs the stream only while this replica holds its lease in Redis: standby (grey) until it gets the lease, the
 * stream from the checkpoint in Redis while it holds it, standby again when it loses it. Close releases the lease
 * after the last delivered page was saved, so another replica takes over at once.
 */
export function runCoordinated(
  node: Node,
  settings: CoordinationSettings,
  streamSettings: string,
  status: CoordinationStatus,
  start: StartTerm,
): { close(removed: boolean): Promise<void> } {
  const client: Redis = createRedisClient(settings.redisUrl);
  const replica: Replica = {
    node,
    redis: coordinationCommands(client),
    keys: streamKeys(settings.prefix, node.id, streamSettings),
    ttlMs: settings.leaseTtlMs,
    status,
    start,
    closing: new AbortController(),
    removed: false,
  };
  node.status(status.standby);
  const loop = connected(client, FIRST_CONNECT_MS, replica.closing.signal)
    .then(() => standbyLoop(replica))
    .catch((err) => node.error(err instanceof Error ? err.message : String(err)));
  return {
    close: async (removed) => {
      replica.removed = removed;
      replica.closing.abort();
      await loop;
      await closeRedisClient(client);
    },
  };
}

interface Replica {
  node: Node;
  redis: CoordinationCommands;
  keys: StreamKeys;
  ttlMs: number;
  status: CoordinationStatus;
  start: StartTerm;
  closing: AbortController;
  removed: boolean;
}

/** Asks for the lease until the node closes; runs the stream whenever it holds it. */
async function standbyLoop(replica: Replica): Promise<void> {
  const { node, closing } = replica;
  while (!closing.signal.aborted) {
    const lease = new Lease(replica.redis, replica.keys, replica.ttlMs);
    let held = false;
    try {
      held = await lease.acquire();
      if (!held && !closing.signal.aborted) node.status(replica.status.standby);
    } catch {
      if (!closing.signal.aborted) node.status(replica.status.unreachable);
    }
    if (held) await holdStream(replica, lease);
    const spread = 1 - ACQUIRE_JITTER + 2 * ACQUIRE_JITTER * Math.random();
    if (!closing.signal.aborted) await sleep(ACQUIRE_INTERVAL_MS * spread, closing.signal);
  }
}

/** One term as the holder: the stream runs until the lease is lost or the node closes. */
async function holdStream(replica: Replica, lease: Lease): Promise<void> {
  const { node, closing } = replica;
  const kept = keepLease(lease);
  const term = new AbortController();
  /** Why the term ended; undefined when the node closed first (a clean stop: save, then release). */
  let lost: unknown;
  const stop = (why?: unknown) => {
    if (term.signal.aborted) return;
    lost = why;
    term.abort(why);
  };
  const onClose = () => stop();
  const onLost = () => stop(kept.lost.reason);
  closing.signal.addEventListener("abort", onClose);
  kept.lost.addEventListener("abort", onLost);
  if (closing.signal.aborted) stop();
  const mayEmit = () => {
    if (lease.safe()) return;
    const error = new BoxError("standby", reason("standby"));
    stop(error);
    throw error;
  };
  const store = fenced(new RedisPositionStore(replica.redis, replica.keys, lease), stop);
  const stream = replica.start(store, term.signal, mayEmit);
  await stream.running;
  // a stream that ended by itself (its checkpoint could not be read) gives the lease back to be tried again
  stop(new BoxError("coordination", reason("coordinationUnreachable")));
  kept.stop();
  closing.signal.removeEventListener("abort", onClose);
  kept.lost.removeEventListener("abort", onLost);
  if (lost === undefined) await stream.closed(replica.removed);
  await lease.release().catch(() => undefined);
  if (closing.signal.aborted) return;
  const unreachable = lost instanceof BoxError && lost.kind === "coordination";
  node.status(unreachable ? replica.status.unreachable : replica.status.standby);
}

/** The store, stopping the stream at once when a write is refused (another replica holds it) or fails. */
function fenced(store: PositionStore, stop: (why: unknown) => void): PositionStore {
  return {
    load: () => store.load(),
    commit: (checkpoint: Checkpoint) =>
      store.commit(checkpoint).catch((err: unknown) => {
        stop(err);
        throw err;
      }),
    forget: () => store.forget(),
  };
}

/** Grey `standby` on a replica that does not hold the lease; yellow while Redis cannot be reached. */
export function coordinationStatus(texts: StatusTexts): CoordinationStatus {
  const unreachable = texts.reason(new BoxError("coordination", reason("coordinationUnreachable")));
  return {
    standby: { fill: "grey", shape: "ring", text: texts.status("standby") },
    unreachable: { fill: "yellow", shape: "ring", text: `${texts.status("reconnecting")}: ${unreachable}` },
  };
}

/** The stream settings a lease and checkpoint belong to: the stream type and where it starts. */
export function streamSettingsKey(def: BoxEventsInDef, parts: { streamType: string }): string {
  const start = startFromOf(def);
  return `${parts.streamType}:${typeof start === "string" ? start : `position-${start.position.trim()}`}`;
}
