import { BoxError } from "../box/errors";
import { Checkpoint, PositionStore } from "../box/events/position-store";
import { NodeContext, NodeMessage } from "../shared/node-red-types";

/**
 * Moves the saved position on only once Node-RED delivered a page: it hands messages to the next
 * nodes on a later turn, and a deploy that stops those nodes first drops them. When the node closes
 * with a page sent in that window, the turn right after Node-RED's delivery tells whether the
 * receivers took it: a receiver still has its input handlers then (a busy file node finishing its
 * writes) or had them cleared by a close that came first (Node-RED dropped the page). Only a page
 * they took is saved, so it is neither lost nor sent again.
 */
export class DeliveredCheckpoints {
  private unsaved?: { checkpoint: Checkpoint; taken?: boolean };

  constructor(
    private readonly store: PositionStore,
    private readonly stopped: AbortSignal,
  ) {}

  /** Call right after sending a page's messages to `receivers` (the wired nodes, as they were before the send). */
  async sent(checkpoint: Checkpoint, receivers: readonly unknown[]): Promise<void> {
    const page: { checkpoint: Checkpoint; taken?: boolean } = { checkpoint };
    this.unsaved = page;
    // stopped by a hook during the send itself: part of the page may have found no receiver
    if (this.stopped.aborted) return;
    await afterDelivery();
    if (this.stopped.aborted) {
      page.taken = receivers.every(takesInput);
      return;
    }
    this.unsaved = undefined;
    await this.store.commit(checkpoint).catch((err: unknown) => {
      throw storageError(err);
    });
  }

  /** On close: a deleted node forgets its position; otherwise a page its receivers took is kept. */
  async closed(removed: boolean): Promise<void> {
    if (removed) await this.store.forget();
    else if (this.unsaved?.taken) await this.store.commit(this.unsaved.checkpoint);
  }
}

/**
 * Whether a node instance still takes input: Node-RED clears its input handlers (`_inputCallback(s)`,
 * the same in Node-RED 4 and 5) once its close finished, and delivers nothing to it after that.
 */
function takesInput(node: unknown): boolean {
  const handlers = node as { _inputCallback?: unknown; _inputCallbacks?: unknown } | null;
  return Boolean(handlers?._inputCallback || handlers?._inputCallbacks);
}

/** A context store that cannot write (a full disk) is not Box's bad answer: say that saving the position failed. */
function storageError(err: unknown): unknown {
  if (err instanceof BoxError) return err; // e.g. another replica holds the stream now
  const message = err instanceof Error ? err.message : String(err);
  return new BoxError("storage", `position not saved: ${message}`);
}

/**
 * Node-RED hands messages to the next nodes with setImmediate; one queued after them runs right after,
 * in the same turn, so no deploy and no receiver's I/O can come in between.
 */
function afterDelivery(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The node's context as the checkpoint store's key-value store. */
export function contextStore(context: NodeContext) {
  return {
    get: (keys: string[]) =>
      new Promise<unknown[]>((resolve, reject) =>
        context.get(keys, (err, ...values) => (err ? reject(err) : resolve(values))),
      ),
    set: (keys: string[], values: unknown[]) =>
      new Promise<void>((resolve, reject) => context.set(keys, values, (err) => (err ? reject(err) : resolve()))),
  };
}

/** What a node needs to hand a page on: its send, and a way to tell Catch nodes about an event it could not send. */
export interface PageSender {
  send(msg: NodeMessage): void;
  error(text: string, msg: NodeMessage): void;
}

/**
 * Sends each message on its own: a throw for one (Node-RED cloning a payload nested too deep for its stack)
 * is reported with the event's id and the page goes on, so the position never passes an event that was
 * neither sent nor reported. The report carries no payload: cloning it for a Catch node would throw again.
 */
export function sendEach(node: PageSender, messages: NodeMessage[]): void {
  for (const msg of messages) {
    try {
      node.send(msg);
    } catch (err) {
      const event = (msg.payload ?? {}) as { event_id?: unknown; event_type?: unknown };
      const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const eventId = typeof event.event_id === "string" ? event.event_id : "?";
      const payload = { kind: "send", reason: "not sent", event_id: eventId, event_type: String(event.event_type) };
      node.error(`event ${eventId} could not be sent (${why})`, { topic: "error", payload });
    }
  }
}
