import should from "should";
import type { NodeInitializer } from "node-red";
import { startEmulator, BoxEmulator } from "../emulator";
import boxEventsAckNode from "../nodes/ack/box-events-ack";
import { collect, eventFlow, FlowNode, helper, lastStatus, NODES, SeenMessage } from "./support/node-helper";
import { assertExactlyOnceInOrder } from "./support/stream-harness";
import { delay, waitFor } from "./support/wait";

const WITH_ACK = [...NODES, boxEventsAckNode] as unknown as NodeInitializer[];

/** The events node with `ack: "flow"` wired to `out`, and a box-events-ack node `ack` that tests feed by hand. */
function ackFlow(emulator: BoxEmulator, events: Record<string, unknown> = {}) {
  const { flow, credentials } = eventFlow(emulator, { events: { ack: "flow", ...events } });
  const ackNode: FlowNode = { id: "ack", type: "box-events-ack", z: "tab", name: "", wires: [] };
  return { flow: [...flow, ackNode], credentials };
}

/** What the node sends back to Box's events endpoint (not the "now" position request of the start). */
const eventFetches = (emulator: BoxEmulator) =>
  emulator.requests.filter(
    (r) => r.method === "GET" && /^\/2\.0\/events\?/.test(r.path) && !/stream_position=now/.test(r.path),
  );

const ack = (msg: SeenMessage) => helper.getNode("ack").receive(msg);

describe("acknowledged delivery (ack: flow) and the box-events-ack node", function () {
  this.timeout(60_000);
  let emulator: BoxEmulator;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator({ retryTimeout: 5 });
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.close();
  });

  const polling = () => /polling/.test(lastStatus("in")?.text ?? "") && emulator.heldPolls() > 0;

  it("gives each message a plain-data handle that survives cloning, and takes the ack through the ack node", async () => {
    const { flow, credentials } = ackFlow(emulator);
    await helper.load(WITH_ACK, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling");
    emulator.createEvents(2);
    await waitFor(() => received.length === 2, "2 messages");
    const handle = received[0]._boxAck as Record<string, unknown>;
    should(handle).have.properties(["node", "run", "seq"]);
    should(handle.node).equal("in");
    should(JSON.parse(JSON.stringify(received[0]))._boxAck).eql(handle, "plain data: a JSON round trip keeps it");
    should(received[0]).not.have.property("redelivered");
  });

  it(`stops fetching at maxInFlight with 1,000 events waiting, shows "waiting for acks", and goes on as acks come`, async () => {
    const created = emulator.createEvents(1000);
    const { flow, credentials } = ackFlow(emulator, { startFrom: "beginning", maxInFlight: 100 });
    await helper.load(WITH_ACK, flow, credentials);
    const received = collect("out");
    await waitFor(() => /waiting for acks \(100\)/.test(lastStatus("in")?.text ?? ""), "the waiting status");
    should(lastStatus("in")).match({ fill: "yellow", shape: "ring" });
    await delay(1000);
    should(received.length).equal(100, "no more than maxInFlight events unacknowledged");
    // one full page, its first 100 events sent and the rest held: no events request while at the limit
    should(eventFetches(emulator).map((r) => /limit=(\d+)/.exec(r.path)?.[1])).eql(["500"]);

    // acks flow: from here every message is acknowledged as it arrives, and the rest comes
    received.forEach(ack);
    helper.getNode("out").on("input", (msg) => ack(msg as SeenMessage));
    await waitFor(() => received.length === 1000, "all 1,000 events", 45_000);
    await waitFor(polling, "polling again");
    assertExactlyOnceInOrder(
      created,
      received.map((m) => m.payload),
    );
    should(lastStatus("in")).match({ fill: "green", text: /polling/ });
  });

  it("sends an event again after redeliverAfter, counted in msg.redelivered, until it is acknowledged", async () => {
    const { flow, credentials } = ackFlow(emulator, { redeliverAfter: 1 });
    await helper.load(WITH_ACK, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling");
    const [first, second] = emulator.createEvents(2);
    await waitFor(() => received.length === 2, "2 messages");
    ack(received[1]);
    await waitFor(() => received.length >= 4, "two redeliveries");
    should(received.slice(2).map((m) => [m.payload.event_id, m.redelivered])).eql([
      [first.event_id, 1],
      [first.event_id, 2],
    ]);
    ack(received[3]);
    const count = received.length;
    await delay(2500);
    should(received.length).equal(count, "nothing sent again once acknowledged");
    should(received.filter((m) => m.payload.event_id === second.event_id)).have.length(1);
  });

  it("after a redeploy emits again only the events not acknowledged, with msg.redelivered", async () => {
    const { flow, credentials } = ackFlow(emulator);
    await helper.load(WITH_ACK, flow, credentials);
    let received = collect("out");
    await waitFor(polling, "polling");
    const created = emulator.createEvents(10);
    await waitFor(() => received.length === 10, "10 messages");
    // acknowledged out of order: 0-2 and 6-9; 3, 4 and 5 stay open
    for (const i of [9, 0, 1, 7, 2, 6, 8]) ack(received[i]);
    await delay(100);
    const changed = flow.map((n) => (n.id === "in" ? { ...n, name: "renamed" } : n));
    await helper.setFlows(changed, "nodes", credentials);
    received = collect("out");
    await waitFor(() => received.length === 3, "the 3 unacknowledged events again");
    should(received.map((m) => [m.payload.event_id, m.redelivered])).eql(
      [3, 4, 5].map((i) => [created[i].event_id, 1]),
    );
    // an ack of the old run changes nothing; the new run's acks count
    const later = emulator.createEvents(1);
    await waitFor(() => received.length === 4, "a new event after the redeploy");
    should(received[3].payload.event_id).equal(later[0].event_id);
    should(received[3]).not.have.property("redelivered");
  });

  it("after a redeploy while events are held, sends the open ones again (redelivered) and the held ones once", async () => {
    const created = emulator.createEvents(10);
    const { flow, credentials } = ackFlow(emulator, { startFrom: "beginning", maxInFlight: 3 });
    await helper.load(WITH_ACK, flow, credentials);
    let received = collect("out");
    await waitFor(() => received.length === 3, "the first 3 events");
    ack(received[0]);
    await waitFor(() => received.length === 4, "a fourth once the first is acknowledged");
    await delay(300);
    should(received.length).equal(4, "events 4 to 9 held");
    const changed = flow.map((n) => (n.id === "in" ? { ...n, name: "renamed" } : n));
    await helper.setFlows(changed, "nodes", credentials);
    received = collect("out");
    helper.getNode("out").on("input", (msg) => ack(msg as SeenMessage));
    await waitFor(() => received.length === 9, "the 9 events not acknowledged");
    await delay(300);
    should(received.map((m) => [m.payload.event_id, m.redelivered])).eql(
      created.slice(1).map((e, i) => [e.event_id, i < 3 ? 1 : undefined]),
      "sent ones counted, held ones never sent before, the acknowledged one skipped",
    );
  });

  for (const streamType of ["admin_logs_streaming", "admin_logs"]) {
    it(`${streamType}: full pages, no more than maxInFlight sent, every event once as acks flow`, async () => {
      const created = Array.from({ length: 12 }, () => emulator.createEnterpriseEvent({ event_type: "LOGIN" }));
      const { flow, credentials } = eventFlow(emulator, {
        config: { authType: "ccg", subjectType: "enterprise", subjectId: "100001" },
        credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
        events: { streamType, pollInterval: 5, startFrom: "beginning", ack: "flow", maxInFlight: 5 },
      });
      const ackNode: FlowNode = { id: "ack", type: "box-events-ack", z: "tab", name: "", wires: [] };
      await helper.load(WITH_ACK, [...flow, ackNode], credentials);
      const received = collect("out");
      await waitFor(() => received.length === 5, "the first 5 events");
      await delay(300);
      should(received.length).equal(5, "no more than maxInFlight unacknowledged");
      should(eventFetches(emulator)).have.length(1, "the rest of the page is held: no events request at the limit");
      received.forEach(ack);
      helper.getNode("out").on("input", (msg) => ack(msg as SeenMessage));
      await waitFor(() => received.length === 12, "all 12 events");
      should(new Set(received.map((m) => m.payload.event_id)).size).equal(12);
      should(received.map((m) => m.payload.event_id).sort()).eql(created.map((e) => e.event_id).sort());
      for (const r of eventFetches(emulator)) should(/limit=(\d+)/.exec(r.path)?.[1]).equal("500");
    });
  }

  it("ignores a message without a handle with a warning, and one for an unknown node quietly", async () => {
    const { flow, credentials } = ackFlow(emulator);
    await helper.load(WITH_ACK, flow, credentials);
    const node = helper.getNode("ack");
    node.receive({ payload: "no handle" });
    node.receive({ payload: "gone", _boxAck: { node: "nobody", run: "x", seq: 1 } });
    await waitFor(() => (node.warn as unknown as { callCount: number }).callCount >= 1, "the warning");
    await delay(100);
    should((node.warn as unknown as { callCount: number }).callCount).equal(1);
    should((node.error as unknown as { callCount: number }).callCount).equal(0);
  });
});
