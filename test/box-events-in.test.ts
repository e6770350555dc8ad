import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { collect, errorsOf, eventFlow, helper, lastStatus, NODES, sentBy, statusesOf } from "./support/node-helper";
import { assertExactlyOnceInOrder } from "./support/stream-harness";
import { delay, waitFor } from "./support/wait";

describe("box-events-in node", function () {
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

  it("emits one message per Box event, payload unchanged, with topic and streamPosition", async () => {
    emulator.setQuirks({ positionFormat: "number" });
    const { flow, credentials } = eventFlow(emulator);
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling status");
    should(lastStatus("in")).match({ fill: "green", shape: "dot" });
    const created = emulator.createEvents(3, { event_type: "ITEM_UPLOAD" });
    await waitFor(() => received.length === 3, "3 messages");
    received.forEach((msg, i) => {
      should(msg.payload).eql(JSON.parse(JSON.stringify(created[i])));
      should(msg.topic).equal("ITEM_UPLOAD");
      should(msg.streamPosition).equal("1152922976252290889");
    });
  });

  it("filters by event type", async () => {
    const { flow, credentials } = eventFlow(emulator, { events: { eventTypes: ["ITEM_TRASH", "COMMENT_CREATE"] } });
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling status");
    emulator.createEvent({ event_type: "ITEM_UPLOAD" });
    emulator.createEvent({ event_type: "ITEM_TRASH" });
    emulator.createEvent({ event_type: "ITEM_PREVIEW" });
    emulator.createEvent({ event_type: "COMMENT_CREATE" });
    await waitFor(() => received.length === 2, "2 messages");
    await delay(100);
    should(received.map((m) => m.topic)).eql(["ITEM_TRASH", "COMMENT_CREATE"]);
  });

  it("starts from the beginning when asked, and from a given position", async () => {
    const early = emulator.createEvents(5);
    const { flow, credentials } = eventFlow(emulator, { events: { startFrom: "beginning" } });
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(() => received.length === 5, "backlog");
    assertExactlyOnceInOrder(
      early,
      received.map((m) => m.payload),
    );
    await helper.unload();

    const at = (BigInt("1152922976252290886") + 3n).toString();
    const second = eventFlow(emulator, { events: { startFrom: "position", position: at } });
    await helper.load(NODES, second.flow, second.credentials);
    const fromPosition = collect("out");
    await waitFor(() => fromPosition.length === 2, "events after the position");
    assertExactlyOnceInOrder(
      early.slice(3),
      fromPosition.map((m) => m.payload),
    );
  });

  it("shows a red ring, tells Catch nodes and makes no request when it has no config node", async () => {
    const { flow } = eventFlow(emulator, { events: { box: "" }, catchErrors: true });
    await helper.load(
      NODES,
      flow.filter((n) => n.type !== "box-config"),
      {},
    );
    const caught = await waitFor(() => sentBy("catcher")[0], "an error at the catch node");
    should(lastStatus("in")).match({ fill: "red", shape: "ring" });
    should(lastStatus("in")?.text).match(/missingConfig|missing Box config/);
    should(caught.payload).match({ kind: "config" });
    should(caught.error?.source?.id).equal("in");
    should(emulator.requests.length).equal(0);
  });

  it("shows what is missing and makes no request when credentials are missing", async () => {
    const cases: [Record<string, unknown>, Record<string, string>, RegExp][] = [
      [{ authType: "developerToken" }, {}, /missing credentials: developer token/],
      [
        { authType: "ccg", subjectType: "enterprise", subjectId: "100001" },
        { clientId: "demo-client-id" },
        /missing credentials: client secret/,
      ],
      [
        { authType: "ccg", subjectType: "enterprise", subjectId: "" },
        { clientId: "a", clientSecret: "b" },
        /missing enterprise ID/,
      ],
      [
        { authType: "developerToken", apiBaseUrl: "http://box.example.com" },
        { accessToken: "secret-token" },
        /must be https/,
      ],
    ];
    for (const [config, creds, reason] of cases) {
      const { flow } = eventFlow(emulator, { config, credentials: creds });
      await helper.load(NODES, flow, { cfg: creds });
      await waitFor(() => lastStatus("in")?.fill === "red", `red status for ${reason}`);
      should(lastStatus("in")).match({ fill: "red", shape: "ring" });
      should(lastStatus("in")?.text).match(reason);
      await helper.unload();
    }
    should(emulator.requests.length).equal(0);
  });

  it("resumes after a redeploy without losing or repeating events", async () => {
    const { flow, credentials } = eventFlow(emulator);
    await helper.load(NODES, flow, credentials);
    let received = collect("out");
    await waitFor(polling, "polling");
    const created = emulator.createEvents(10);
    await waitFor(() => received.length === 10, "first batch");
    const all = [...received];
    for (const type of ["full", "nodes", "flows"] as const) {
      // events land while the node is being replaced
      created.push(...emulator.createEvents(3));
      const changed = flow.map((n) => (n.id === "in" ? { ...n, name: `box ${type}` } : n));
      await helper.setFlows(changed, type, credentials);
      received = collect("out");
      created.push(...emulator.createEvents(2));
      await waitFor(() => all.length + received.length >= created.length, `events after a ${type} deploy`).catch(
        (e) => {
          console.log(
            JSON.stringify(statusesOf("in")),
            all.length,
            received.length,
            created.length,
            emulator.requests.slice(-10),
          );
          throw e;
        },
      );
      all.push(...received);
    }
    await delay(200);
    assertExactlyOnceInOrder(
      created,
      all.map((m) => m.payload),
    );
  });

  it("leaves no long poll behind after 15 redeploys in a row", async () => {
    const { flow, credentials } = eventFlow(emulator);
    await helper.load(NODES, flow, credentials);
    await waitFor(polling, "polling");
    for (let i = 0; i < 15; i++) {
      const changed = flow.map((n) => (n.id === "in" ? { ...n, name: `box ${i}` } : n));
      await helper.setFlows(changed, i % 2 ? "nodes" : "full", credentials);
      await delay(30);
    }
    await waitFor(() => emulator.heldPolls() === 1 && polling(), "exactly one long poll");
    await delay(300);
    should(emulator.heldPolls()).equal(1);
    should(emulator.openConnections()).be.belowOrEqual(2);
    await helper.unload();
    await waitFor(() => emulator.openConnections() === 0 && emulator.heldPolls() === 0, "no connection after close");
  });

  it("turns red with 'unauthorized'-style reason on a revoked token, tells Catch nodes once, and retries calmly", async () => {
    const { flow, credentials } = eventFlow(emulator, { catchErrors: true });
    await helper.load(NODES, flow, credentials);
    const caught = collect("caught");
    await waitFor(polling, "polling");
    emulator.revokeAllTokens();
    emulator.createEvent();
    await waitFor(() => lastStatus("in")?.fill === "red", "red status");
    should(lastStatus("in")).match({ shape: "ring", text: /unauthorized: Box refused the developer token/ });
    await waitFor(() => caught.length > 0, "an error at the catch node");
    should(caught[0].error?.message).match(/Box refused the developer token/);
    emulator.clearRequests();
    await delay(3000);
    should(emulator.requests.length).be.belowOrEqual(1);
    should(caught.length).equal(1);
  });

  it("shows reconnecting while Box is failing, and polling again after", async () => {
    const { flow, credentials } = eventFlow(emulator);
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling");
    emulator.injectFault({ target: "events", kind: "status", status: 500, times: 2 });
    const created = emulator.createEvents(4);
    await waitFor(() => received.length === 4, "events after the outage", 30_000);
    const texts = statusesOf("in").map((s) => `${s.fill}/${s.shape}/${s.text}`);
    should(texts.some((t) => /^yellow\/ring\/.*reconnecting/.test(t))).be.true();
    await waitFor(polling, "polling again");
    assertExactlyOnceInOrder(
      created,
      received.map((m) => m.payload),
    );
    should(errorsOf("in").length).be.aboveOrEqual(1);
  });

  it("says why it is reconnecting in a few words", async () => {
    const { flow, credentials } = eventFlow(emulator);
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling");
    emulator.injectFault({ target: "events", kind: "garbage" });
    emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 1 });
    emulator.createEvent();
    await waitFor(() => received.length === 1, "the event after the faults", 30_000);
    const yellow = statusesOf("in")
      .filter((s) => s.fill === "yellow")
      .map((s) => s.text);
    should(yellow).containEql("reconnecting: bad answer from Box");
    should(yellow).containEql("reconnecting: rate limited");
  });

  it("never puts the token in a message, a status, an error or the log", async () => {
    const token = emulator.issueToken();
    const { flow, credentials } = eventFlow(emulator, { token, catchErrors: true });
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling");
    emulator.injectFault({ target: "events", kind: "status", status: 500 });
    emulator.createEvents(2);
    await waitFor(() => received.length === 2, "messages", 30_000);
    emulator.revokeAllTokens();
    emulator.createEvent();
    await waitFor(() => lastStatus("in")?.fill === "red", "red status");
    const seen = JSON.stringify([received, statusesOf("in"), errorsOf("in"), helper.log().args]);
    should(seen.includes(token)).be.false();
    should(
      emulator.requests.filter((r) => r.server === "realtime").every((r) => r.authorization === undefined),
    ).be.true();
  });
});
