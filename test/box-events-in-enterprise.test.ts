import should from "should";
import { startEmulator, BoxEmulator, BoxEvent } from "../emulator";
import {
  collect,
  errorsOf,
  eventFlow,
  FlowOptions,
  helper,
  lastStatus,
  NODES,
  statusesOf,
  type SeenMessage,
} from "./support/node-helper";
import { assertExactlyOnceInOrder } from "./support/stream-harness";
import { delay, waitFor } from "./support/wait";

const TYPES = ["admin_logs_streaming", "admin_logs"] as const;

/** A box-config with CCG for the enterprise (an admin's token) or for a user, and an enterprise events node. */
function enterpriseFlow(emulator: BoxEmulator, subject: "enterprise" | "user", events: Record<string, unknown>) {
  const options: FlowOptions = {
    config: { authType: "ccg", subjectType: subject, subjectId: subject === "enterprise" ? "100001" : "200002" },
    credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    events: { pollInterval: 5, ...events },
    catchErrors: true,
  };
  return eventFlow(emulator, options);
}

function sameEvents(created: readonly BoxEvent[], received: readonly SeenMessage[], inOrder: boolean): void {
  if (inOrder)
    return assertExactlyOnceInOrder(
      created,
      received.map((m) => m.payload as BoxEvent),
    );
  const ids = received.map((m) => m.payload.event_id);
  should(new Set(ids).size).equal(ids.length, "duplicates delivered");
  should([...ids].sort()).eql(created.map((e) => e.event_id).sort());
}

describe("box-events-in node with enterprise streams", function () {
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

  const polling = () => lastStatus("in")?.fill === "green" && /polling/.test(lastStatus("in")?.text ?? "");
  const noLongPoll = () =>
    should(emulator.requests.filter((r) => r.method === "OPTIONS" || r.server === "realtime")).have.length(0);

  for (const type of TYPES) {
    it(`${type}: one message per wanted event, event_type sent to Box, green 'polling', no OPTIONS`, async () => {
      const kinds = ["LOGIN", "FAILED_LOGIN", "SHARE", "UPLOAD", "FAILED_LOGIN", "DOWNLOAD"];
      const created = kinds.map((event_type) => emulator.createEnterpriseEvent({ event_type }));
      const wanted = created.filter((e) => e.event_type === "FAILED_LOGIN" || e.event_type === "SHARE");
      const { flow, credentials } = enterpriseFlow(emulator, "enterprise", {
        streamType: type,
        startFrom: "beginning",
        eventTypes: ["FAILED_LOGIN", "SHARE"],
      });
      await helper.load(NODES, flow, credentials);
      const received = collect("out");
      await waitFor(() => received.length === 3 && polling(), "3 messages, then polling");
      sameEvents(wanted, received, type === "admin_logs");
      for (const msg of received) {
        should(msg.topic).equal(msg.payload.event_type);
        should(msg.streamPosition).match(/^[1-9]\d{18}$/);
      }
      const gets = emulator.requests.filter((r) => r.method === "GET" && r.path.startsWith("/2.0/events"));
      should(gets.every((r) => r.path.includes("event_type=FAILED_LOGIN%2CSHARE"))).be.true();
      noLongPoll();
    });

    it(`${type}: resumes after full, nodes and flows deploys without loss or repeats`, async () => {
      const { flow, credentials } = enterpriseFlow(emulator, "enterprise", {
        streamType: type,
        startFrom: "beginning",
      });
      const created = emulator.createEnterpriseEvents(8);
      await helper.load(NODES, flow, credentials);
      let received = collect("out");
      await waitFor(() => received.length === 8 && polling(), "the backlog");
      const all = [...received];
      for (const deploy of ["full", "nodes", "flows"] as const) {
        created.push(...emulator.createEnterpriseEvents(3)); // land while the node is being replaced
        const changed = flow.map((n) => (n.id === "in" ? { ...n, name: `enterprise ${deploy}` } : n));
        await helper.setFlows(changed, deploy, credentials);
        received = collect("out");
        created.push(...emulator.createEnterpriseEvents(2));
        // the replaced node catches up at once; the last two may wait for the next poll (5 s)
        await waitFor(() => all.length + received.length >= created.length, `events after a ${deploy} deploy`);
        all.push(...received);
      }
      await delay(200);
      sameEvents(created, all, type === "admin_logs");
      const position = helper.getNode("in").context().get("position");
      should(position).match(/^[1-9]\d+$/); // admin_logs answered 0 to every empty page: never saved
      noLongPoll();
    });

    it(`${type}: started now, a redeploy before the first event keeps the start`, async () => {
      const { flow, credentials } = enterpriseFlow(emulator, "enterprise", { streamType: type, startFrom: "now" });
      await helper.load(NODES, flow, credentials);
      await waitFor(polling, "polling");
      const created = emulator.createEnterpriseEvents(2);
      // admin_logs counts "now" in whole seconds: redeploy in a later one, so a moved start would miss the events
      const nextSecond = Math.ceil((Date.now() + 1) / 1000) * 1000;
      await waitFor(() => Date.now() >= nextSecond, "the next second");
      const changed = flow.map((n) => (n.id === "in" ? { ...n, name: "redeployed" } : n));
      await helper.setFlows(changed, "nodes", credentials);
      const received = collect("out");
      await waitFor(() => received.length === 2, "the events from between the deploys");
      sameEvents(created, received, type === "admin_logs");
    });

    it(`${type}: a user's token turns it red with 'needs an enterprise admin token', once to Catch, no retry loop`, async () => {
      const { flow, credentials } = enterpriseFlow(emulator, "user", { streamType: type });
      await helper.load(NODES, flow, credentials);
      const caught = collect("caught");
      await waitFor(() => lastStatus("in")?.fill === "red", "a red status");
      should(lastStatus("in")).match({ shape: "ring", text: /needs an enterprise admin token/ });
      await waitFor(() => caught.length > 0, "an error at the catch node");
      should(caught[0].payload).match({ kind: "forbidden", status: 403 });
      const gets = () => emulator.requests.filter((r) => r.path.startsWith("/2.0/events")).length;
      const before = gets();
      await delay(3000); // the quiet period is what is measured
      should(gets()).equal(before);
      should(caught.length).equal(1);
      noLongPoll();
    });
  }

  it("does not carry a saved position over to another stream type", async () => {
    const old = emulator.createEnterpriseEvents(3);
    const nextSecond = Math.ceil((Date.now() + 1) / 1000) * 1000; // admin_logs' "now" counts whole seconds
    await waitFor(() => Date.now() >= nextSecond, "the next second");
    const { flow, credentials } = enterpriseFlow(emulator, "enterprise", {
      streamType: "admin_logs",
      startFrom: "now",
    });
    await helper.load(NODES, flow, credentials);
    await waitFor(polling, "polling");
    should(helper.getNode("in").context().get("createdAfter")).be.a.String();
    const switched = flow.map((n) => (n.id === "in" ? { ...n, streamType: "admin_logs_streaming" } : n));
    await helper.setFlows(switched, "nodes", credentials);
    const received = collect("out");
    await waitFor(polling, "polling on the other stream");
    const fresh = emulator.createEnterpriseEvent({ event_type: "SHARE" });
    await waitFor(() => received.length > 0, "the new event", 20_000);
    await delay(200);
    should(received.map((m) => m.payload.event_id)).eql([fresh.event_id]); // not the 3 older ones
    should(old).have.length(3);
  });

  it("leaves a folder set earlier for a user stream out of an enterprise stream: admins watch the whole enterprise", async () => {
    const created = emulator.createEnterpriseEvents(3, { event_type: "DOWNLOAD" });
    const { flow, credentials } = enterpriseFlow(emulator, "enterprise", {
      streamType: "admin_logs",
      startFrom: "beginning",
      folderId: "300000000001",
    });
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(() => received.length === 3 && polling(), "the events, then polling");
    sameEvents(created, received, true);
    should(emulator.requests.filter((r) => /^\/2\.0\/(files|folders)\//.test(r.path))).have.length(0);
  });

  it("shows a red status and makes no request for an invalid poll interval or stream type", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ streamType: "admin_logs", pollInterval: 2 }, /invalidPollInterval|invalid poll interval/],
      [{ streamType: "admin_logs_streaming", pollInterval: "soon" }, /invalidPollInterval|invalid poll interval/],
      [{ streamType: "admin_logs_streaming", pollInterval: -60 }, /invalidPollInterval|invalid poll interval/],
      [{ streamType: "admin_logs", pollInterval: 1e12 }, /invalidPollInterval|invalid poll interval/],
      [{ streamType: "admin_logs&stream_position=0" }, /invalidStreamType|invalid stream type/],
    ];
    for (const [events, reason] of cases) {
      const { flow, credentials } = enterpriseFlow(emulator, "enterprise", events);
      await helper.load(NODES, flow, credentials);
      await waitFor(() => lastStatus("in")?.fill === "red", "a red status");
      should(lastStatus("in")?.text).match(reason);
      await helper.unload();
    }
    await delay(200);
    should(emulator.requests).have.length(0);
  });

  it("a poll interval as the dialog saves it (a numeric string) is used", async () => {
    const { flow, credentials } = enterpriseFlow(emulator, "enterprise", {
      streamType: "admin_logs_streaming",
      pollInterval: "5",
    });
    await helper.load(NODES, flow, credentials);
    await waitFor(polling, "polling");
    should(statusesOf("in").some((s) => s.fill === "red")).be.false();
    should(errorsOf("in")).have.length(0);
  });
});
