import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { collect, eventFlow, helper, NODES, type SeenMessage } from "./support/node-helper";
import type { NodeAPI } from "node-red";
import { waitFor } from "./support/wait";

interface Delivery {
  source: { id: string };
  msg: SeenMessage;
}

/** The parts of the runtime this test drives directly: its hooks and the flows' stop and start. */
interface Runtime {
  _RED: {
    hooks: { add(name: string, fn: (event: Delivery) => void): void; remove(name: string): void };
  };
  _redNodes: {
    stopFlows(type: string, diff: object): Promise<void>;
    startFlows(type: string, diff: object): Promise<void>;
  };
}

/** What the slow receiver took, across its restarts. */
const slowSeen: SeenMessage[] = [];

/** A receiver whose close takes a while, as a file node's does while it finishes its writes: it still takes input. */
function slowCloseNode(RED: NodeAPI): void {
  RED.nodes.registerType("slow-close", function (this: never, config: object) {
    const node = this as unknown as { on(event: string, fn: (...args: never[]) => void): void };
    RED.nodes.createNode(node as never, config as never);
    node.on("input", (msg: SeenMessage) => slowSeen.push(msg));
    node.on("close", (done: () => void) => setTimeout(done, 200));
  });
}

/**
 * A deploy that restarts the events node and the node it sends to after the events node handed a page on and
 * before Node-RED delivered it. A receiver whose close is done at once drops the page: the position must stay
 * and the page come again. A receiver still closing (a file node finishing its writes) takes it: the position
 * must move on and the page not come again.
 */
describe("box-events-in: a deploy that restarts its receiver too", function () {
  let emulator: BoxEmulator;
  const runtime = helper as unknown as Runtime;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    runtime._RED.hooks.remove("postDeliver.redeploy-receivers");
    await helper.unload();
    await emulator.close();
  });

  /**
   * Loads the flow with `receiver` wired after the events node, delivers and saves one page, then stops the events
   * node and the receiver in the very turn a page of three events is handed on, and starts them again.
   */
  async function deployDuringSend(
    type: "nodes" | "full",
    receiver: { id: string; type: string },
    attach: () => SeenMessage[],
  ) {
    const { flow, credentials } = eventFlow(emulator, { events: { wires: [[receiver.id]] } });
    await helper.load(
      [...NODES, slowCloseNode] as never,
      [...flow.filter((n) => n.id !== "out"), { z: "tab", ...receiver }],
      credentials,
    );
    const seen = attach();
    await waitFor(() => emulator.heldPolls() === 1, "the first long poll");
    // one page delivered and saved: the position the node resumes from
    emulator.createEvents(1);
    await waitFor(() => seen.length === 1 && emulator.heldPolls() === 1, "the first event, then a long poll");
    const diff = { added: [], changed: ["in", receiver.id], removed: [], rewired: [], linked: [], flowChanged: [] };
    let stopped: Promise<void> | undefined;
    const last = { id: "" }; // the page's last event, known once created
    runtime._RED.hooks.add("postDeliver.redeploy-receivers", (event) => {
      // the deploy's stop once the node handed the whole page on and Node-RED queued its delivery, before that
      // ran: as when the deploy's request is read in the same turn as Box's answer
      if (stopped || event.msg.payload.event_id !== last.id) return;
      stopped = Promise.resolve().then(() => runtime._redNodes.stopFlows(type, diff));
    });
    const created = emulator.createEvents(3).map((event) => event.event_id as string);
    last.id = created[2];
    await waitFor(() => stopped !== undefined, "the deploy's stop during the send");
    await stopped;
    runtime._RED.hooks.remove("postDeliver.redeploy-receivers");
    const beforeRestart = seen.length;
    await runtime._redNodes.startFlows(type, diff);
    return { created, beforeRestart };
  }
  const ids = (seen: SeenMessage[]) => seen.map((m) => m.payload.event_id);

  it("sends the page again when the deploy stopped its receiver before Node-RED delivered it", async () => {
    const { created, beforeRestart } = await deployDuringSend("nodes", { id: "out", type: "helper" }, () =>
      collect("out"),
    );
    should(beforeRestart).equal(1, "the stopped receiver got nothing more");
    const after = collect("out");
    await waitFor(() => after.length >= 3, "the page again after the deploy");
    should(ids(after)).eql(created);
  });

  it("does not send the page again when a full deploy's receiver, still closing, took it", async () => {
    slowSeen.length = 0;
    const { created } = await deployDuringSend("full", { id: "slow", type: "slow-close" }, () => slowSeen);
    await waitFor(() => slowSeen.length >= 4, "the page, taken by the closing receiver");
    // a later event proves the restarted node is past the page: nothing of it comes again before it
    await waitFor(() => emulator.heldPolls() === 1, "the long poll after the restart");
    const later = emulator.createEvents(1)[0].event_id as string;
    await waitFor(() => slowSeen.some((m) => m.payload.event_id === later), "the event after the restart");
    should(ids(slowSeen.slice(1))).eql([...created, later]);
  });
});
