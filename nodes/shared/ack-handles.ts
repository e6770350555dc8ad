/**
 * `ack: "flow"`: the plain-data handle each message carries (it survives Node-RED's message cloning and
 * function nodes that pass `msg` on), and where a `box-events-ack` node finds the events node it names.
 */
export interface AckHandle {
  /** The `box-events-in` node's id. */
  node: string;
  /** That node's current run: a redeploy or restart starts a new one, and the old run's handles mean nothing. */
  run: string;
  /** The event's number within the run. */
  seq: number;
}

export const ACK_PROPERTY = "_boxAck";

/** A running events node that takes acknowledgements. */
export interface AckReceiver {
  readonly run: string;
  ack(seq: number): void;
}

// one map for the process: Node-RED loads each node file once, and every events and ack node shares this module
const receivers = new Map<string, AckReceiver>();

/** Registers a running node; the returned function unregisters it (and only it: a newer run stays). */
export function registerAckReceiver(nodeId: string, receiver: AckReceiver): () => void {
  receivers.set(nodeId, receiver);
  return () => {
    if (receivers.get(nodeId) === receiver) receivers.delete(nodeId);
  };
}

/** The handle a message carries, or undefined when it has none (or a malformed one). */
export function ackHandleOf(msg: unknown): AckHandle | undefined {
  const handle = (msg as Record<string, unknown> | null)?.[ACK_PROPERTY] as Partial<AckHandle> | undefined;
  if (typeof handle !== "object" || handle === null) return undefined;
  const { node, run, seq } = handle;
  if (typeof node !== "string" || typeof run !== "string" || !Number.isSafeInteger(seq)) return undefined;
  return { node, run, seq: seq as number };
}

/** Hands the acknowledgement to its node; one for a closed node or an older run is dropped (that run's events come again). */
export function acknowledge(handle: AckHandle): void {
  const receiver = receivers.get(handle.node);
  if (receiver && receiver.run === handle.run) receiver.ack(handle.seq);
}
