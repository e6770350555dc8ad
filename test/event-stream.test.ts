import should from "should";
import { BoxEvent, EventsApi } from "../nodes/box/events/events-api";
import { ccgTokenSource } from "../nodes/box/auth/ccg";
import { HttpClient } from "../nodes/box/http/http";
import { NO_PROXY } from "../nodes/box/http/proxy-settings";
import { startEmulator, BoxEmulator, Fault, RequestRecord } from "../emulator";
import { assertExactlyOnceInOrder, StreamHarness } from "./support/stream-harness";
import { delay, waitFor } from "./support/wait";

function ccgTokens(emulator: BoxEmulator) {
  const http = new HttpClient(NO_PROXY);
  const tokens = ccgTokenSource(http, emulator.apiUrl, {
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    subjectType: "enterprise",
    subjectId: "100001",
  });
  return { http, tokens };
}

describe("EventStream against the emulator", function () {
  let emulator: BoxEmulator;
  let harness: StreamHarness | undefined;

  beforeEach(async () => {
    emulator = await startEmulator({ realtimeTimeoutMs: 30_000, retryTimeout: 5 });
  });

  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
    await emulator.close();
  });

  it("delivers bursts in order, exactly once, starting from now", async () => {
    emulator.createEvents(5); // before the start: not delivered with startFrom "now"
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    const created = [];
    for (let burst = 0; burst < 4; burst++) {
      created.push(...emulator.createEvents(250 + burst));
      await delay(5);
    }
    await harness.untilDelivered(created.length);
    await delay(100);
    assertExactlyOnceInOrder(created, harness.delivered);
  });

  it("subscribes with the position, so an event created between a fetch and the next subscribe arrives at once", async () => {
    let created = 0;
    harness = new StreamHarness(emulator, {
      wrapApi: (api) => ({
        getEvents: async (...args: Parameters<EventsApi["getEvents"]>) => {
          const page = await api.getEvents(...args);
          // the race: an event lands after a fetch that did not fill its page and before the long poll is open
          if (page.entries.length < args[2] && args[0] !== "now" && created < 3) {
            created++;
            emulator.createEvent();
          }
          return page;
        },
        getRealtimeServer: (...args: Parameters<EventsApi["getRealtimeServer"]>) => api.getRealtimeServer(...args),
        longPoll: (...args: Parameters<EventsApi["longPoll"]>) => api.longPoll(...args),
      }),
    }).start();
    await harness.untilPolling();
    emulator.createEvent();
    // The realtime server holds polls for 30 s: each of these arrives through an immediate new_change instead.
    await harness.untilDelivered(4, 10_000);
    assertExactlyOnceInOrder(emulator.events(), harness.delivered);
    const polls = emulator.requests.filter((r) => r.server === "realtime");
    should(polls.every((r) => /[?&]stream_position=\d+/.test(r.path))).be.true();
  });

  it("spends one GET /events per wake-up with a short page, and an event right after it still arrives at once", async () => {
    // a timeout-based delivery would take a minute: the waits below give up long before that
    emulator.setQuirks({ realtimeTimeoutMs: 60_000 });
    let late: BoxEvent | undefined;
    harness = new StreamHarness(emulator, {
      wrapApi: (api) => ({
        getEvents: async (...args: Parameters<EventsApi["getEvents"]>) => {
          const page = await api.getEvents(...args);
          // lands right after the wake-up's only fetch, before the next long poll
          if (page.entries.length > 0 && !late) late = emulator.createEvent();
          return page;
        },
        getRealtimeServer: (...args: Parameters<EventsApi["getRealtimeServer"]>) => api.getRealtimeServer(...args),
        longPoll: (...args: Parameters<EventsApi["longPoll"]>) => api.longPoll(...args),
      }),
    }).start();
    await harness.untilPolling();
    emulator.clearRequests();
    const first = emulator.createEvent();
    await harness.untilDelivered(2, 10_000);
    await waitFor(() => emulator.heldPolls() === 1 && emulator.requests.length === 4, "the next held long poll");
    assertExactlyOnceInOrder([first, late!], harness.delivered);
    const kinds = emulator.requests.map((r) =>
      r.server === "realtime" ? "long poll" : `${r.method} ${r.path.split("?")[0]}`,
    );
    // the second poll carries the new position, so the realtime server answers it at once: no fetch to find out
    should(kinds).eql(["GET /2.0/events", "long poll", "GET /2.0/events", "long poll"]);
    await delay(300);
    should(emulator.requests.length).equal(4);
  });

  it("gets a new realtime server on reconnect and keeps every event", async () => {
    emulator.setQuirks({ realtimeTimeoutMs: 100 });
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    const created = [];
    for (let i = 0; i < 6; i++) {
      created.push(emulator.createEvent());
      await delay(250);
    }
    await harness.untilDelivered(created.length);
    assertExactlyOnceInOrder(created, harness.delivered);
    const options = emulator.requests.filter((r) => r.method === "OPTIONS").length;
    should(options).be.above(2);
    should(harness.states.some((s) => s.state === "reconnecting")).be.true();
  });

  it("uses one realtime URL at most max_retries times, and handles a max_retries answer", async () => {
    emulator.setQuirks({ realtimeTimeoutMs: 100, maxRetries: 2 });
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    emulator.injectFault({ target: "realtime", kind: "message", message: "max_retries" });
    await waitFor(() => emulator.requests.filter((r) => r.method === "OPTIONS").length >= 4, "several OPTIONS");
    const created = emulator.createEvents(3);
    await harness.untilDelivered(3);
    assertExactlyOnceInOrder(created, harness.delivered);
    const channelUses = new Map<string, number>();
    for (const r of emulator.requests.filter((r) => r.server === "realtime")) {
      const channel = new URL(r.path, "http://x").searchParams.get("channel") as string;
      channelUses.set(channel, (channelUses.get(channel) ?? 0) + 1);
    }
    should(Math.max(...channelUses.values())).be.belowOrEqual(2);
  });

  it("treats an unknown realtime message like reconnect", async () => {
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    const before = emulator.requests.filter((r) => r.method === "OPTIONS").length;
    emulator.injectFault({ target: "realtime", kind: "message", message: "something_new" });
    emulator.createEvent(); // wakes the held poll; the next poll gets the unknown message
    await harness.untilDelivered(1);
    const created = [emulator.createEvent()];
    await harness.untilDelivered(2);
    should(emulator.requests.filter((r) => r.method === "OPTIONS").length).be.above(before);
    should(harness.delivered[1].event_id).equal(created[0].event_id);
  });

  const storms: [string, string, (r: RequestRecord) => boolean][] = [
    ["keeps announcing changes that the API does not show", "new_change", (r) => r.server === "realtime"],
    ["sends it away at once, again and again", "reconnect", (r) => r.method === "OPTIONS"],
  ];
  for (const [behaviour, message, counted] of storms) {
    it(`slows down when the realtime server ${behaviour}`, async () => {
      harness = new StreamHarness(emulator).start();
      await harness.untilPolling();
      emulator.clearRequests();
      emulator.injectFault({ target: "realtime", kind: "message", message, times: 50 });
      emulator.createEvent(); // wakes the held poll; the 50 answers follow
      await delay(3000);
      should(emulator.requests.filter(counted).length).be.within(2, 9); // 50 without the brake
      emulator.clearFaults();
      const later = emulator.createEvent();
      await harness.untilDelivered(2);
      should(harness.delivered[1].event_id).equal(later.event_id);
    });
  }

  const faults: [string, Fault][] = [
    ["a reset on GET /events", { target: "events", kind: "reset", times: 2 }],
    ["a 500 on GET /events", { target: "events", kind: "status", status: 500, times: 2 }],
    ["a 502 on OPTIONS", { target: "options", kind: "status", status: 502, times: 2 }],
    ["a 503 with retry-after", { target: "events", kind: "status", status: 503, retryAfter: 1 }],
    ["a 429 with retry-after", { target: "events", kind: "status", status: 429, retryAfter: 1 }],
    ["a garbage body on GET /events", { target: "events", kind: "garbage", times: 2 }],
    ["a garbage body from the realtime server", { target: "realtime", kind: "garbage" }],
    ["a reset on the realtime server", { target: "realtime", kind: "reset", times: 2 }],
    ["a hung realtime server (retry_timeout)", { target: "realtime", kind: "hang" }],
    ["a hung GET /events (request timeout)", { target: "events", kind: "hang" }],
  ];
  for (const [name, fault] of faults) {
    it(`loses and duplicates nothing across ${name}`, async () => {
      emulator.setQuirks({ retryTimeout: 1 });
      harness = new StreamHarness(emulator, { requestTimeoutMs: 1000 }).start();
      await harness.untilPolling();
      const created = emulator.createEvents(20);
      await harness.untilDelivered(20);
      emulator.injectFault(fault);
      // OPTIONS is asked again only when the realtime server says reconnect
      if (fault.target === "options")
        emulator.injectFault({ target: "realtime", kind: "message", message: "reconnect" });
      if (fault.target === "realtime") await delay(50);
      created.push(...emulator.createEvents(30));
      await delay(30);
      created.push(...emulator.createEvents(30));
      await harness.untilDelivered(created.length);
      await delay(200);
      assertExactlyOnceInOrder(created, harness.delivered);
      if (fault.kind !== "hang") should(harness.states.some((s) => s.state === "reconnecting" && s.error)).be.true();
    });
  }

  it("waits at least retry-after on a 429", async () => {
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 2 });
    emulator.createEvent();
    await waitFor(() => harness!.states.find((s) => s.error?.kind === "rateLimited"), "rate limited state");
    const limitedAt = Date.now();
    await harness.untilDelivered(1);
    should(Date.now() - limitedAt).be.aboveOrEqual(1900);
  });

  it("drains a 1,000-event backlog from the beginning through duplicate and short pages, with positions above 2^53", async () => {
    emulator.setQuirks({ duplicatePages: true, shortPages: true, positionFormat: "number" });
    const created = emulator.createEvents(1000);
    harness = new StreamHarness(emulator, { startFrom: "beginning" }).start();
    await harness.untilDelivered(1000);
    await harness.untilPolling();
    assertExactlyOnceInOrder(created, harness.delivered);
    should(harness.pages.length).be.aboveOrEqual(6); // short pages (at most a third of the limit) really were short
    const last = harness.pages[harness.pages.length - 1].position;
    should(last).equal((BigInt("1152922976252290886") + 1000n).toString());
  });

  it("follows a live stream through short and duplicate pages: a short page that was not the end costs a poll, not an event", async () => {
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    emulator.setQuirks({ duplicatePages: true, shortPages: true });
    const created = [];
    for (let burst = 0; burst < 8; burst++) {
      created.push(...emulator.createEvents(40 + burst * 30));
      await delay(10);
    }
    await harness.untilDelivered(created.length);
    await harness.untilPolling();
    assertExactlyOnceInOrder(created, harness.delivered);
    const fetches = emulator.requests.filter((r) => r.method === "GET" && r.path.startsWith("/2.0/events?")).length;
    should(harness.pages.length).be.aboveOrEqual(10); // the pages really were short
    should(fetches).be.belowOrEqual(harness.pages.length + 1); // the start ("now") + one fetch per page, none to find the end
  });

  it("keeps positions above 2^53 exact end to end", async () => {
    emulator.setQuirks({ positionFormat: "number" });
    emulator.createEvents(7);
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    const created = emulator.createEvents(3);
    await harness.untilDelivered(3);
    assertExactlyOnceInOrder(created, harness.delivered);
    should(harness.checkpoint()?.position).equal("1152922976252290896");
    const polls = emulator.requests.filter((r) => r.server === "realtime").map((r) => r.path);
    should(polls.some((p) => p.includes("stream_position=1152922976252290893"))).be.true();
  });

  it("resumes from a checkpoint without loss or repeats", async () => {
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    const first = emulator.createEvents(40);
    await harness.untilDelivered(40);
    const checkpoint = harness.checkpoint();
    await harness.stop();
    const second = emulator.createEvents(25);
    harness = new StreamHarness(emulator, { checkpoint, startFrom: "now" }).start();
    await harness.untilDelivered(25);
    await harness.untilPolling();
    assertExactlyOnceInOrder(second, harness.delivered);
    should(first.length).equal(40);
  });

  it("drops duplicates that straddle a resume, using the saved ids", async () => {
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    emulator.createEvents(10);
    await harness.untilDelivered(10);
    const checkpoint = harness.checkpoint()!;
    await harness.stop();
    // a checkpoint whose position lags the ids it holds: the first page repeats what was already emitted
    const lagging = { ...checkpoint, position: (BigInt(checkpoint.position as string) - 4n).toString() };
    const more = emulator.createEvents(5);
    harness = new StreamHarness(emulator, { checkpoint: lagging }).start();
    await harness.untilDelivered(5);
    await harness.untilPolling();
    assertExactlyOnceInOrder(more, harness.delivered);
  });

  it("applies the event type filter but still advances the position", async () => {
    harness = new StreamHarness(emulator, { eventTypes: ["ITEM_TRASH"] }).start();
    await harness.untilPolling();
    emulator.createEvent({ event_type: "ITEM_UPLOAD" });
    const trash = emulator.createEvent({ event_type: "ITEM_TRASH" });
    emulator.createEvent({ event_type: "ITEM_PREVIEW" });
    await harness.untilDelivered(1);
    await waitFor(
      () => harness!.checkpoint()?.position === (BigInt("1152922976252290886") + 3n).toString(),
      "position advanced",
    );
    should(harness.delivered.map((e) => e.event_id)).eql([trash.event_id]);
  });

  it("never sends the token to the realtime server", async () => {
    const token = emulator.issueToken();
    const { DeveloperTokenSource } = await import("../nodes/box/auth/token-source");
    harness = new StreamHarness(emulator, { tokens: new DeveloperTokenSource(token) }).start();
    await harness.untilPolling();
    emulator.createEvents(3);
    await harness.untilDelivered(3);
    const realtime = emulator.requests.filter((r) => r.server === "realtime");
    should(realtime.length).be.above(0);
    should(realtime.every((r) => r.authorization === undefined && !r.path.includes(token))).be.true();
    should(
      emulator.requests
        .filter((r) => r.server === "api" && r.path.startsWith("/2.0"))
        .every((r) => r.authorization === `Bearer ${token}`),
    ).be.true();
  });

  it("goes to failed/unauthorized on a revoked developer token and retries calmly", async () => {
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    emulator.revokeAllTokens();
    emulator.clearRequests();
    emulator.createEvent();
    await waitFor(() => harness!.state === "failed", "failed state");
    should(harness.states[harness.states.length - 1].error?.reason).match(
      /^unauthorized: Box refused the developer token/,
    );
    await delay(3000);
    const apiCalls = emulator.requests.filter((r) => r.server === "api").length;
    should(apiCalls).be.belowOrEqual(2);
  });

  it("mints a new CCG token after a 401 and carries on without loss", async () => {
    const { http, tokens } = ccgTokens(emulator);
    harness = new StreamHarness(emulator, { tokens }).start();
    await harness.untilPolling();
    const created = emulator.createEvents(5);
    await harness.untilDelivered(5);
    emulator.expireAllTokens();
    created.push(...emulator.createEvents(5));
    await harness.untilDelivered(10);
    assertExactlyOnceInOrder(created, harness.delivered);
    should(emulator.requests.filter((r) => r.path === "/oauth2/token").length).equal(2);
    should(harness.states.some((s) => s.state === "failed")).be.false();
    await http.close();
  });

  it("rides out a failing token endpoint while its CCG token expires", async () => {
    const { http, tokens } = ccgTokens(emulator);
    harness = new StreamHarness(emulator, { tokens }).start();
    await harness.untilPolling();
    const created = emulator.createEvents(3);
    await harness.untilDelivered(3);
    emulator.expireAllTokens();
    emulator.injectFault({ target: "token", kind: "status", status: 500 });
    emulator.injectFault({ target: "token", kind: "reset" });
    emulator.injectFault({ target: "token", kind: "garbage" });
    created.push(...emulator.createEvents(4));
    await harness.untilDelivered(7);
    assertExactlyOnceInOrder(created, harness.delivered);
    should(harness.states.some((s) => s.state === "reconnecting" && s.error)).be.true();
    should(harness.states.some((s) => s.state === "failed")).be.false();
    await http.close();
  });

  it("closes promptly and leaves no long poll or socket open", async () => {
    harness = new StreamHarness(emulator).start();
    await harness.untilPolling();
    const started = Date.now();
    await harness.stop();
    harness = undefined;
    should(Date.now() - started).be.below(2000);
    await waitFor(() => emulator.heldPolls() === 0 && emulator.openConnections() === 0, "no open connections");
  });
});
