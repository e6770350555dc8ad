import should from "should";
import { ccgTokenSource } from "../nodes/box/auth/ccg";
import { DeveloperTokenSource } from "../nodes/box/auth/token-source";
import { EnterpriseStreamType, EventsApi, EventsPage } from "../nodes/box/events/events-api";
import { HttpClient } from "../nodes/box/http/http";
import { NO_PROXY } from "../nodes/box/http/proxy-settings";
import { startEmulator, BoxEmulator, BoxEvent, RequestRecord } from "../emulator";
import { assertExactlyOnceInOrder, HarnessOptions, StreamHarness } from "./support/stream-harness";
import { delay, waitFor } from "./support/wait";

const TYPES: EnterpriseStreamType[] = ["admin_logs_streaming", "admin_logs"];

/** Every created event delivered exactly once, in any order (admin_logs_streaming is not chronological). */
function assertExactlyOnce(created: readonly BoxEvent[], delivered: readonly { event_id?: string }[]): void {
  const ids = delivered.map((e) => e.event_id);
  should(new Set(ids).size).equal(ids.length, "duplicates delivered");
  should([...ids].sort()).eql(created.map((e) => e.event_id).sort());
}

function eventRequests(emulator: BoxEmulator): URLSearchParams[] {
  return emulator.requests
    .filter((r) => r.method === "GET" && r.path.startsWith("/2.0/events"))
    .map((r) => new URL(r.path, "http://x").searchParams);
}

/** Enterprise streams are polled: never an OPTIONS, never the realtime server. */
function assertPolledOnly(requests: readonly RequestRecord[]): void {
  should(requests.filter((r) => r.method === "OPTIONS" || r.server === "realtime")).have.length(0);
}

describe("enterprise event streams against the emulator", function () {
  let emulator: BoxEmulator;
  let harness: StreamHarness | undefined;
  let http: HttpClient | undefined;
  /** Every page Box sent, before the stream dropped repeats and unwanted types. */
  let served: EventsPage[];

  beforeEach(async () => {
    emulator = await startEmulator();
    served = [];
  });

  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
    await http?.close();
    http = undefined;
    await emulator.close();
  });

  /** A stream with an enterprise admin's token, polling every 100 ms unless told otherwise. */
  function adminStream(streamType: EnterpriseStreamType, options: HarnessOptions = {}): StreamHarness {
    return new StreamHarness(emulator, {
      tokens: new DeveloperTokenSource(emulator.issueToken({ admin: true })),
      streamType,
      pollIntervalMs: 100,
      wrapApi: (api: EventsApi) => ({
        getEvents: async (...args: Parameters<EventsApi["getEvents"]>) => {
          const page = await api.getEvents(...args);
          served.push(page);
          return page;
        },
        getRealtimeServer: (...args: Parameters<EventsApi["getRealtimeServer"]>) => api.getRealtimeServer(...args),
        longPoll: (...args: Parameters<EventsApi["longPoll"]>) => api.longPoll(...args),
      }),
      ...options,
    });
  }

  const untilPolling = () => waitFor(() => harness?.state === "polling", "polling on schedule");

  for (const type of TYPES) {
    describe(type, () => {
      it("catches up a backlog from the beginning through short pages and repeats, each event once", async () => {
        emulator.setQuirks({ shortPages: true, positionFormat: "number" });
        const created = emulator.createEnterpriseEvents(120);
        // a poll interval of 10 minutes: the whole backlog must come in the first catch-up
        harness = adminStream(type, { startFrom: "beginning", pollIntervalMs: 600_000 }).start();
        await harness.untilDelivered(120);
        await untilPolling();
        if (type === "admin_logs") assertExactlyOnceInOrder(created, harness.delivered);
        else assertExactlyOnce(created, harness.delivered);
        should(served.length).be.above(40); // pages of at most 3 events: short pages did not end the catch-up
        should(served[served.length - 1].entries).have.length(0); // it ended on an empty page
        const sent = served.reduce((n, page) => n + page.entries.length, 0);
        if (type === "admin_logs_streaming") should(sent).be.above(120); // repeats came, and were dropped
        should(harness.checkpoint()?.position).match(/^\d{19}$/); // above 2^53, exact
        assertPolledOnly(emulator.requests);
      });

      it("sends the event types to Box as event_type and still checks them itself", async () => {
        const wanted = ["FAILED_LOGIN", "SHARE"];
        const types = ["LOGIN", "FAILED_LOGIN", "UPLOAD", "SHARE", "DOWNLOAD", "FAILED_LOGIN"];
        const created = types.map((event_type) => emulator.createEnterpriseEvent({ event_type }));
        harness = adminStream(type, { startFrom: "beginning", eventTypes: wanted }).start();
        await harness.untilDelivered(3);
        await untilPolling();
        assertExactlyOnce(
          created.filter((e) => wanted.includes(e.event_type)),
          harness.delivered,
        );
        should(eventRequests(emulator).every((q) => q.get("event_type") === "FAILED_LOGIN,SHARE")).be.true();
        // honoured by Box: nothing else crossed the network
        should(served.flatMap((p) => p.entries).every((e) => wanted.includes(e.event_type as string))).be.true();
        await harness.stop();

        // a Box that ignored the filter: the node's own check still holds
        const unfiltered = adminStream(type, {
          startFrom: "beginning",
          eventTypes: wanted,
          wrapApi: (api: EventsApi) => ({
            getEvents: (position, streamType, limit, signal) => api.getEvents(position, streamType, limit, signal),
            getRealtimeServer: (...args) => api.getRealtimeServer(...args),
            longPoll: (...args) => api.longPoll(...args),
          }),
        });
        harness = unfiltered.start();
        await harness.untilDelivered(3);
        await untilPolling();
        should(harness.delivered.map((e) => e.event_type).sort()).eql(["FAILED_LOGIN", "FAILED_LOGIN", "SHARE"]);
        assertPolledOnly(emulator.requests);
      });

      it("resumes from a checkpoint after a restart without loss or repeats", async () => {
        const first = emulator.createEnterpriseEvents(10);
        harness = adminStream(type, { startFrom: "beginning" }).start();
        await harness.untilDelivered(10);
        await untilPolling();
        const checkpoint = harness.checkpoint();
        await harness.stop();
        should(first).have.length(10);

        const second = emulator.createEnterpriseEvents(7);
        harness = adminStream(type, { startFrom: "beginning", checkpoint }).start();
        await harness.untilDelivered(7);
        await untilPolling();
        const third = emulator.createEnterpriseEvents(4);
        await harness.untilDelivered(11);
        await delay(300); // three more polls: nothing more may come
        if (type === "admin_logs") assertExactlyOnceInOrder([...second, ...third], harness.delivered);
        else assertExactlyOnce([...second, ...third], harness.delivered);
        assertPolledOnly(emulator.requests);
      });

      it("starts from now: only events after the start, also across a restart before the first event", async () => {
        const old = emulator.createEnterpriseEvents(4);
        // Box's created_at has whole seconds: start in the next one, so the old events are clearly before it
        const nextSecond = Math.ceil((Date.now() + 1) / 1000) * 1000;
        await waitFor(() => Date.now() >= nextSecond, "the next second");
        harness = adminStream(type, { startFrom: "now" }).start();
        await untilPolling();
        const checkpoint = harness.checkpoint();
        should.exist(checkpoint);
        await harness.stop();

        const fresh = emulator.createEnterpriseEvents(3);
        harness = adminStream(type, { startFrom: "now", checkpoint }).start();
        await harness.untilDelivered(3);
        await delay(300);
        assertExactlyOnce(fresh, harness.delivered);
        should(old).have.length(4);
        const first = eventRequests(emulator)[0];
        if (type === "admin_logs") {
          // stream_position=now is promised for admin_logs nowhere: it starts from the time instead
          should(first.get("stream_position")).be.null();
          should(first.get("created_after")).match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
          should(Date.parse(first.get("created_after") as string)).be.aboveOrEqual(nextSecond);
          should(checkpoint).have.property("createdAfter");
        } else {
          should(first.get("stream_position")).equal("now");
          should(checkpoint?.position).match(/^\d+$/);
        }
        should(eventRequests(emulator).some((q) => q.get("stream_position") === "0")).be.false();
        assertPolledOnly(emulator.requests);
      });

      it("turns red with 'needs an enterprise admin token' on a user's token, and retries slowly", async () => {
        http = new HttpClient(NO_PROXY);
        const tokens = ccgTokenSource(http, emulator.apiUrl, {
          clientId: emulator.clientId,
          clientSecret: emulator.clientSecret,
          subjectType: "user",
          subjectId: "200002",
        });
        const backoff = { baseMs: 20, maxMs: 200, helpBaseMs: 30_000, helpMaxMs: 60_000 };
        harness = new StreamHarness(emulator, { streamType: type, tokens, backoff, pollIntervalMs: 100 }).start();
        const failed = await waitFor(() => harness?.states.find((s) => s.state === "failed"), "a red state");
        should(failed.error?.kind).equal("forbidden");
        should(failed.error?.reason).equal("needs an enterprise admin token");
        should(failed.retryInMs).be.aboveOrEqual(15_000);
        const before = eventRequests(emulator).length;
        await delay(1000); // the quiet period is what is measured: no retry loop
        should(eventRequests(emulator).length).equal(before);
        should(before).equal(1);
        assertPolledOnly(emulator.requests);
      });

      it("waits at least retry-after on a 429, and loses nothing", async () => {
        harness = adminStream(type, { startFrom: "beginning" }).start();
        await untilPolling();
        emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 1 });
        const created = emulator.createEnterpriseEvents(5);
        const limited = await waitFor(
          () => harness?.states.find((s) => s.error?.kind === "rateLimited"),
          "a rate-limited state",
        );
        await harness.untilDelivered(5);
        assertExactlyOnce(created, harness.delivered);
        const gets = emulator.requests.filter((r) => r.method === "GET");
        const refused = gets.filter((r) => r.at <= limited.at).length - 1; // the request the 429 answered
        should(gets[refused + 1].at - gets[refused].at).be.aboveOrEqual(1000);
        should(harness.states.some((s) => s.state === "reconnecting" && s.error?.kind === "rateLimited")).be.true();
        await untilPolling();
        assertPolledOnly(emulator.requests);
      });
    });
  }

  for (const format of ["number", "string"] as const) {
    it(`never keeps the position 0 that admin_logs answers to an empty page (sent as a ${format})`, async () => {
      emulator.setQuirks({ positionFormat: format });
      const first = emulator.createEnterpriseEvents(5);
      harness = adminStream("admin_logs", { startFrom: "beginning" }).start();
      await harness.untilDelivered(5);
      const position = harness.checkpoint()?.position as string;
      should(position).match(/^[1-9]\d+$/);
      emulator.clearRequests();
      served.length = 0;
      await waitFor(() => served.length >= 3, "three empty polls");
      should(served.every((page) => page.entries.length === 0 && page.nextPosition === "0")).be.true();
      should(harness.checkpoint()?.position).equal(position);
      should(eventRequests(emulator).every((q) => q.get("stream_position") === position)).be.true();
      const more = emulator.createEnterpriseEvents(3);
      await harness.untilDelivered(8);
      await delay(300);
      assertExactlyOnceInOrder([...first, ...more], harness.delivered); // no year replayed from 0
      should(harness.pages.every((page) => page.position !== "0")).be.true();
    });
  }

  it("ends a catch-up at a page that only repeats what it sent: a Box that keeps repeating is no request storm", async () => {
    const created = emulator.createEnterpriseEvents(5);
    let last: EventsPage | undefined;
    let repeats = 0;
    harness = adminStream("admin_logs_streaming", {
      startFrom: "beginning",
      pollIntervalMs: 600_000,
      wrapApi: (api: EventsApi) => ({
        // after the real events: the same page again and again, each time at a new position
        getEvents: async (...args: Parameters<EventsApi["getEvents"]>) => {
          const page = await api.getEvents(...args);
          if (page.entries.length > 0) return (last = page);
          repeats++;
          return { entries: last!.entries, nextPosition: (BigInt(args[0] as string) + 1n).toString() };
        },
        getRealtimeServer: (...args: Parameters<EventsApi["getRealtimeServer"]>) => api.getRealtimeServer(...args),
        longPoll: (...args: Parameters<EventsApi["longPoll"]>) => api.longPoll(...args),
      }),
    }).start();
    await untilPolling();
    await delay(500); // the quiet period is what is measured
    should(repeats).equal(1);
    assertExactlyOnce(created, harness.delivered);
  });

  it("admin_logs started now keeps sending created_after while Box answers 0, until it gives a position", async () => {
    harness = adminStream("admin_logs", { startFrom: "now" }).start();
    await untilPolling();
    await waitFor(() => served.length >= 3, "three empty polls");
    should(harness.checkpoint()).have.property("createdAfter");
    should(eventRequests(emulator).every((q) => q.has("created_after") && !q.has("stream_position"))).be.true();
    const created = emulator.createEnterpriseEvents(2);
    await harness.untilDelivered(2);
    assertExactlyOnceInOrder(created, harness.delivered);
    const checkpoint = harness.checkpoint();
    should(checkpoint?.position).match(/^[1-9]\d+$/);
    should(checkpoint).not.have.property("createdAfter");
  });
});
