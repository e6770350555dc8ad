import { randomUUID } from "crypto";
import { BoxEvent } from "../box/events/events-api";
import { AckLedger, InFlight } from "../box/events/ack-ledger";
import { Checkpoint, PagePoint, PositionStore } from "../box/events/position-store";
import { ScopedEvent } from "../box/folders/folder-scope";
import { ACK_PROPERTY, registerAckReceiver } from "../shared/ack-handles";
import { NodeMessage } from "../shared/node-red-types";
import { AckSettings } from "./ack-settings";
import { eventMessage } from "./messages";

const WAITING_STATUS_DELAY_MS = 200;

/** What is kept of a sent event to send it again. */
interface SentEvent extends ScopedEvent {
  position: string;
}

export interface AckDeliveryParts {
  nodeId: string;
  send(msg: NodeMessage): void;
  settings: AckSettings;
  /** Where acknowledged pages move the position on; none when the node does not resume. */
  store?: PositionStore;
  /** The loaded checkpoint: its position and the send counts of the events it left unacknowledged. */
  checkpoint?: Checkpoint;
  /** The run ends (a close, or with coordination a lost lease): no more acks, resends or saves. */
  stopped: AbortSignal;
  /** Throws when this runtime may no longer emit (coordination); checked before events are sent again. */
  mayEmit?(): void;
  /** Events are held at the limit (the node stops fetching) / acks made room again. */
  onWaiting(unacknowledged: number): void;
  onResumed(): void;
  /** Saving the checkpoint failed; a send threw (the event stays unacknowledged and comes again). */
  onError(err: unknown): void;
}

/**
 * `ack: "flow"`: sends each event with a handle, counts it done only when a `box-events-ack` node gets it
 * back, holds events and the stream while `maxInFlight` events are open, sends again what waits longer than
 * `redeliverAfter`, and saves the position of the newest fully acknowledged page.
 */
export class AckDelivery {
  readonly run = randomUUID();
  private readonly ledger: AckLedger<SentEvent>;
  private readonly unregister: () => void;
  private readonly timer?: NodeJS.Timeout;
  private dirty = false;
  private saving?: Promise<void>;
  private stream?: { checkpoint(): Checkpoint | undefined };

  constructor(private readonly parts: AckDeliveryParts) {
    this.ledger = new AckLedger(parts.settings.maxInFlight, parts.checkpoint);
    this.unregister = registerAckReceiver(parts.nodeId, { run: this.run, ack: (seq) => this.ack(seq) });
    const after = parts.settings.redeliverAfterMs;
    if (after > 0) this.timer = setInterval(() => this.redeliver(), Math.min(1000, after / 2)).unref();
    parts.stopped.addEventListener("abort", () => this.stop(), { once: true });
    if (parts.stopped.aborted) this.stop();
  }

  /** The stream whose position and seen ids the checkpoint is made of. */
  attach(stream: { checkpoint(): Checkpoint | undefined }): void {
    this.stream = stream;
  }

  /**
   * A page's events as the stream hands them (in order), after it moved to the page's end: sends them while fewer
   * than `maxInFlight` are unacknowledged and holds the rest until acks make room. Resolves once every event is
   * sent and there is room for more, so the stream fetches nothing while at the limit.
   */
  async deliver(events: readonly ScopedEvent[], position: string, from?: PagePoint): Promise<void> {
    if (from) this.ledger.startAt(from);
    const here = this.stream?.checkpoint();
    const point = here ? pointOf(here) : { position };
    this.ledger.page(
      point,
      events.map((scoped) => ({ id: eventId(scoped.event), data: { ...scoped, position } })),
    );
    for (;;) {
      for (let entry = this.ledger.next(); entry; entry = this.ledger.next()) this.send(entry);
      this.save();
      if (this.ledger.holding === 0 && this.ledger.room() > 0) return;
      await this.roomForMore();
    }
  }

  /** Waits until acks make room, showing "waiting for acks" when that takes a while; rejects once the run stops. */
  private async roomForMore(): Promise<void> {
    const { stopped } = this.parts;
    // a flow that acknowledges at once makes room within milliseconds: no status flicker per page
    let shown = false;
    const show = setTimeout(() => {
      shown = true;
      this.parts.onWaiting(this.ledger.unacknowledged);
    }, WAITING_STATUS_DELAY_MS);
    try {
      await this.ledger.waitForRoom(stopped);
      // the other acks Node-RED delivers in this turn come first: the sends that follow fill the room they make
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      clearTimeout(show);
    }
    stopped.throwIfAborted();
    if (shown) this.parts.onResumed();
    this.parts.mayEmit?.();
  }

  /** On close: a deleted node forgets its position; otherwise the last acknowledged state is saved. */
  async closed(removed: boolean): Promise<void> {
    this.stop();
    await this.saving;
    if (removed) await this.parts.store?.forget();
  }

  private stop(): void {
    this.unregister();
    if (this.timer) clearInterval(this.timer);
  }

  private ack(seq: number): void {
    if (this.ledger.ack(seq)) this.save();
  }

  private redeliver(): void {
    try {
      this.parts.mayEmit?.();
    } catch {
      return; // another replica runs the stream now; the coordination stops this run
    }
    const due = this.ledger.resend(this.parts.settings.redeliverAfterMs);
    for (const entry of due) this.send(entry);
    if (due.length > 0) this.save();
  }

  private send(entry: InFlight<SentEvent>): void {
    const { event, path, position } = entry.data;
    const msg = eventMessage(event, position, path);
    msg[ACK_PROPERTY] = { node: this.parts.nodeId, run: this.run, seq: entry.seq };
    if (entry.sends > 1) msg.redelivered = entry.sends - 1;
    try {
      this.parts.send(msg);
    } catch (err) {
      this.parts.onError(err);
    }
  }

  /** Saves once per turn however many acks came in it; one write at a time. */
  private save(): void {
    if (!this.parts.store || this.parts.stopped.aborted) return;
    this.dirty = true;
    this.saving ??= this.saveLoop(this.parts.store);
  }

  private async saveLoop(store: PositionStore): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await new Promise((resolve) => setImmediate(resolve));
        const checkpoint = this.ledger.checkpoint(this.stream?.checkpoint()?.recentIds ?? []);
        if (checkpoint) await store.commit(checkpoint);
      }
    } catch (err) {
      this.parts.onError(err);
    } finally {
      this.saving = undefined;
    }
  }
}

function pointOf(checkpoint: Checkpoint): PagePoint {
  return checkpoint.position !== undefined
    ? { position: checkpoint.position }
    : { createdAfter: checkpoint.createdAfter };
}

function eventId(event: BoxEvent): string | undefined {
  return typeof event.event_id === "string" ? event.event_id : undefined;
}
