import { Checkpoint, PositionStore } from "../box/events/position-store";
import { fillIn } from "../box/reasons";
import { Node, NodeAPI, NodeStatus } from "../shared/node-red-types";
import { translated } from "../shared/reason-text";
import { AckDelivery } from "./ack-delivery";
import { AckSettings } from "./ack-settings";
import en from "./locales/en-US/box-events-in.json";

export interface AckStatus {
  /** Shows a status for a while (the stream's own status stays underneath). */
  aside(status: NodeStatus): void;
  /** Shows the stream's status again. */
  restore(): void;
}

/** `ack: "flow"` for one run of a node: its messages, its yellow "waiting for acks" ring, its warnings. */
export function startAckDelivery(
  RED: NodeAPI,
  node: Node,
  settings: AckSettings,
  run: { resume: boolean; store: PositionStore; checkpoint?: Checkpoint; signal: AbortSignal; mayEmit(): void },
  status: AckStatus,
): AckDelivery {
  return new AckDelivery({
    nodeId: node.id,
    send: (msg) => node.send(msg),
    settings,
    store: run.resume ? run.store : undefined,
    checkpoint: run.checkpoint,
    stopped: run.signal,
    mayEmit: run.mayEmit,
    onWaiting: (count) =>
      status.aside({
        fill: "yellow",
        shape: "ring",
        // the contract's English whatever the runtime's language; the editor translates it
        text: fillIn(en["box-events-in"].status.waitingForAcks, { count }),
      }),
    onResumed: () => status.restore(),
    onError: (err) => {
      const message = err instanceof Error ? err.message : String(err);
      node.warn(translated(RED._, "box-events-in.warning.ackDelivery", message, { message }));
    },
  });
}
