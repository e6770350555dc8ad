import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { collect, eventFlow, helper, NODES, statusesOf, type FlowNode } from "./support/node-helper";
import { waitFor } from "./support/wait";

const LIMITED = "reconnecting: rate limited";

describe("box-events-in: every node held at the config's rate gate says so", function () {
  let emulator: BoxEmulator;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.close();
  });

  it("one node's 429 shows as a wait on the other node of the same config, then both go on", async () => {
    const { flow, credentials } = eventFlow(emulator);
    const second: FlowNode = { ...(flow.find((n) => n.id === "in") as FlowNode), id: "in2", wires: [["out2"]] };
    await helper.load(NODES, [...flow, second, { id: "out2", type: "helper", z: "tab" }], credentials);
    const [out, out2] = [collect("out"), collect("out2")];
    const polling = (id: string) => statusesOf(id).some((s) => s.text === "polling");
    await waitFor(() => polling("in") && polling("in2") && emulator.heldPolls() >= 2, "both nodes polling");
    // the first fetch after this event gets a 429 with a pause; the node that got it waits, and so does the other
    emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 4 });
    emulator.createEvent();
    const shows = (id: string) => statusesOf(id).some((s) => s.text === LIMITED && s.fill === "yellow");
    await waitFor(() => shows("in") || shows("in2"), "one node rate limited");
    emulator.createEvent(); // wakes the node that is still long polling: its fetch meets the closed gate
    await waitFor(() => shows("in") && shows("in2"), "both nodes showing the wait");
    await waitFor(() => out.length === 2 && out2.length === 2, "both events on both nodes after the pause");
    for (const id of ["in", "in2"]) should(statusesOf(id).at(-1)?.text).equal("polling");
  });
});
