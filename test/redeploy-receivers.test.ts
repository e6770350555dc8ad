import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { collect, eventFlow, helper, NODES, type SeenMessage } from "./support/node-helper";
import { waitFor } from "./support/wait";

/** The parts of the runtime this test drives directly: its hooks and the flows' stop and start. */
interface Runtime {
  _RED: {
    hooks: { add(name: string, fn: (events: { source: { id: string } }[]) => void): void; remove(name: string): void };
  };
  _redNodes: {
    stopFlows(type: string, diff: object): Promise<void>;
    startFlows(type: string, diff: object): Promise<void>;
  };
}

/**
 * A "modified nodes" deploy that restarts the events node and the node it sends to, in the very turn the events
 * node handed a page on: the page reaches no running node (here Node-RED finds no receiver for it; a stopped file
 * node drops it too), so the position must stay where it was and the page come again after the deploy. Node-RED
 * reads a node the deploy is stopping as undefined, not null: the node took that for "still running" and lost it.
 */
describe("box-events-in: a node-only deploy that restarts its receiver too", function () {
  let emulator: BoxEmulator;
  const runtime = helper as unknown as Runtime;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    runtime._RED.hooks.remove("onSend.redeploy-receivers");
    await helper.unload();
    await emulator.close();
  });

  it("sends the page again when the deploy stopped its receiver before Node-RED delivered it", async () => {
    const { flow, credentials } = eventFlow(emulator);
    await helper.load(NODES, flow, credentials);
    const before = collect("out");
    await waitFor(() => emulator.heldPolls() === 1, "the first long poll");
    // one page delivered and saved: the position the node resumes from
    emulator.createEvents(1);
    await waitFor(() => before.length === 1 && emulator.heldPolls() === 1, "the first event, then a long poll");
    const diff = { added: [], changed: ["in", "out"], removed: [], rewired: [], linked: [], flowChanged: [] };
    let stopped: Promise<void> | undefined;
    runtime._RED.hooks.add("onSend.redeploy-receivers", (events) => {
      // the deploy's stop, in the same turn as the events node's send (as when both I/O callbacks are due at once)
      if (!stopped && events.some((e) => e.source.id === "in")) stopped = runtime._redNodes.stopFlows("nodes", diff);
    });
    const created = emulator.createEvents(3).map((event) => event.event_id);
    await waitFor(() => stopped !== undefined, "the deploy's stop during the send");
    await stopped;
    runtime._RED.hooks.remove("onSend.redeploy-receivers");
    should(before).have.length(1, "the stopped receiver got nothing more");
    await runtime._redNodes.startFlows("nodes", diff);
    const after = collect("out");
    const ids = (seen: SeenMessage[]) => seen.map((m) => m.payload.event_id);
    await waitFor(() => after.length >= 3, "the page again after the deploy");
    should(ids(after)).eql(created);
  });
});
