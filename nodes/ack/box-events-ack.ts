import { ackHandleOf, acknowledge } from "../shared/ack-handles";
import { Node, NodeAPI } from "../shared/node-red-types";
import { translated } from "../shared/reason-text";

/** Marks the event a message came from done, for a `box-events-in` with `ack: "flow"`; no output. */
export = function register(RED: NodeAPI): void {
  function BoxEventsAck(this: Node, def: { name?: string }) {
    RED.nodes.createNode(this, def);
    this.on("input", (msg, _send, done) => {
      const handle = ackHandleOf(msg);
      if (handle) acknowledge(handle);
      else this.warn(translated(RED._, "box-events-ack.warning.noHandle", NO_HANDLE));
      done();
    });
  }

  RED.nodes.registerType("box-events-ack", BoxEventsAck);
};

const NO_HANDLE =
  "message ignored: it has no acknowledgement handle (from a box events node with Acknowledge set to the flow)";
