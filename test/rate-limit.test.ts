import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { collect, errorsOf, eventFlow, helper, NODES } from "./support/node-helper";
import { RateGate } from "../nodes/box/http/rate-gate";
import { assertExactlyOnceInOrder, StreamHarness } from "./support/stream-harness";
import { waitFor } from "./support/wait";

/**
 * Box limits requests per user, and every node on one box-config is the same user: a 429 that one node
 * sees must hold back the others too, until Box's retry-after has passed.
 */
describe("one rate limit per box-config", function () {
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

  /** Node `a` follows every event; `b` and `c` only file-tree changes, so an ITEM_PREVIEW wakes `a` alone. */
  function threeNodes() {
    const { flow, credentials } = eventFlow(emulator, { events: { id: "a", wires: [["out-a"]] } });
    for (const name of ["b", "c"]) {
      flow.push(
        { ...flow.find((n) => n.id === "a")!, id: name, streamType: "changes", wires: [[`out-${name}`]] },
        { id: `out-${name}`, type: "helper", z: "tab" },
      );
    }
    flow.push({ id: "out-a", type: "helper", z: "tab" });
    return { flow: flow.filter((n) => n.id !== "out"), credentials };
  }

  it("after a 429 with retry-after: 2 on one node, no node on that config calls the API for 2 s, then all resume", async () => {
    const { flow, credentials } = threeNodes();
    await helper.load(NODES, flow, credentials);
    const received = { a: collect("out-a"), b: collect("out-b"), c: collect("out-c") };
    await waitFor(() => emulator.heldPolls() === 3, "three long polls");

    const before = emulator.requests.length;
    emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 2 });
    const preview = emulator.createEvent({ event_type: "ITEM_PREVIEW" });
    await waitFor(() => errorsOf("a").find(([, msg]) => msg?.payload?.kind === "rateLimited"), "node a to see the 429");
    // every node now has something to fetch: b and c are woken by their long polls at once
    const uploads = emulator.createEvents(2, { event_type: "ITEM_UPLOAD" });
    await waitFor(
      () => received.a.length === 3 && received.b.length === 2 && received.c.length === 2,
      "every node to deliver its events",
    );

    const limited = emulator.requests.findIndex((r, i) => i >= before && r.server === "api");
    const limitedAt = emulator.requests[limited].at;
    const apiAfter = emulator.requests.slice(limited + 1).filter((r) => r.server === "api");
    should(apiAfter.length).be.aboveOrEqual(3); // each node fetched again
    should(Math.min(...apiAfter.map((r) => r.at)) - limitedAt).be.aboveOrEqual(2000);
    assertExactlyOnceInOrder(
      [preview, ...uploads],
      received.a.map((m) => m.payload),
    );
    for (const name of ["b", "c"] as const)
      assertExactlyOnceInOrder(
        uploads,
        received[name].map((m) => m.payload),
      );
  });

  it("lets a node waiting for the shared pause stop at once, without a request", async () => {
    const gate = new WatchedGate();
    const limited = new StreamHarness(emulator, { rateGate: gate }).start();
    const waiting = new StreamHarness(emulator, { rateGate: gate }).start();
    try {
      await limited.untilPolling();
      await waitFor(() => emulator.heldPolls() === 2, "two long polls");
      emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 30 });
      emulator.createEvent();
      await waitFor(
        () => [limited, waiting].some((h) => h.states.some((s) => s.error?.kind === "rateLimited")),
        "a 429",
      );
      // wakes the other stream, which now waits at the gate; its long poll may still be on the wire, so
      // no held poll is not enough: only a stream waiting at the gate has no request in flight
      emulator.createEvent();
      await waitFor(() => gate.waiting === 1 && emulator.heldPolls() === 0, "the other stream to wait at the gate");
      const requests = emulator.requests.length;
      const stopping = Date.now();
      await Promise.all([limited.stop(), waiting.stop()]);
      should(Date.now() - stopping).be.below(10_000); // the pause lasts 30 s
      should(emulator.requests.length).equal(requests);
      should(gate.waiting).equal(0);
      await waitFor(() => emulator.openConnections() === 0, "no connection left");
    } finally {
      await Promise.all([limited.stop(), waiting.stop()]);
    }
  });
});

/** The config's rate gate, counting the requests that wait for it to open. */
class WatchedGate extends RateGate {
  waiting = 0;

  override async wait(signal?: AbortSignal): Promise<void> {
    this.waiting++;
    try {
      await super.wait(signal);
    } finally {
      this.waiting--;
    }
  }
}
