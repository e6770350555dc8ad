import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { DeveloperTokenSource } from "../nodes/box/auth/token-source";
import { MAX_DELAY_MS } from "../nodes/box/backoff";
import { BoxClient } from "../nodes/box/http/box-client";
import { BoxEvent, EventsApi, EventsWarning, MAX_EVENTS_BYTES } from "../nodes/box/events/events-api";
import { BoxError } from "../nodes/box/errors";
import { EventStream, StreamState } from "../nodes/box/events/event-stream";
import { NO_PROXY } from "../nodes/box/http/proxy-settings";
import { FAST_BACKOFF, StreamHarness } from "./support/stream-harness";
import { drip, HostileBox, json, streamHuge } from "./support/hostile-box";
import { delay, waitFor } from "./support/wait";

/** An EventStream against a hostile server, recording what it delivers, its states and warnings. */
class HostileStream {
  readonly delivered: BoxEvent[] = [];
  readonly states: { state: StreamState; error?: BoxError }[] = [];
  readonly warnings: EventsWarning[] = [];
  readonly api: EventsApi;
  private readonly controller = new AbortController();
  private readonly running: Promise<void>;

  constructor(box: HostileBox, startFrom: "now" | "beginning" = "now", requestTimeoutMs?: number) {
    this.api = new EventsApi(
      new BoxClient({
        apiBaseUrl: box.url,
        tokens: new DeveloperTokenSource("hostile-test-token"),
        proxy: NO_PROXY,
        requestTimeoutMs,
      }),
      (warning) => this.warnings.push(warning),
    );
    const stream = new EventStream({
      api: this.api,
      streamType: "all",
      startFrom,
      backoff: FAST_BACKOFF,
      onEvents: (events) => void this.delivered.push(...events),
      onState: (state, error) => this.states.push({ state, error }),
    });
    this.running = stream.run(this.controller.signal);
  }

  errors(): BoxError[] {
    return this.states.flatMap((s) => (s.error ? [s.error] : []));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
    await this.api.client.close();
  }
}

describe("security: hostile answers from the network", function () {
  this.timeout(60_000);
  let box: HostileBox | undefined;
  let stream: HostileStream | undefined;

  afterEach(async () => {
    await stream?.stop();
    await box?.close();
    stream = box = undefined;
  });

  it("a 100 MB events page is cut off at the cap, reported as a bad answer, and backed off", async () => {
    const written: Promise<number>[] = [];
    box = await HostileBox.start({
      events: (_req, res, url) => {
        if (url.searchParams.get("stream_position") === "now") return false;
        written.push(streamHuge(res, 100 * 1024 * 1024));
      },
      realtime: (_req, res) => void json(res, 200, { message: "new_change" }),
    });
    stream = new HostileStream(box);
    const error = await waitFor(() => stream!.errors()[0], "the stream to report the huge page");
    error.kind.should.equal("protocol");
    error.reason.should.equal("bad answer from Box");
    stream.states.some((s) => s.state === "reconnecting").should.be.true();
    const first = await written[0];
    first.should.be.below(MAX_EVENTS_BYTES.events + 8 * 1024 * 1024, "the client hung up soon after the cap");
  });

  it("a realtime server (plain http: anyone on the path) sending 300 MB is cut off after a few KiB", async () => {
    const written: Promise<number>[] = [];
    box = await HostileBox.start({ realtime: (_req, res) => void written.push(streamHuge(res, 300 * 1024 * 1024)) });
    stream = new HostileStream(box);
    const error = await waitFor(() => stream!.errors()[0], "the stream to report the huge realtime answer");
    error.kind.should.equal("protocol");
    (await written[0]).should.be.below(8 * 1024 * 1024);
    await waitFor(() => box!.requestsTo("/realtime").length >= 2, "a new long poll after the backoff");
  });

  it("a server dripping one byte at a time cannot hold a request past its deadline", async () => {
    box = await HostileBox.start({ events: (_req, res) => drip(res, 50) });
    const api = new EventsApi(
      new BoxClient({
        apiBaseUrl: box.url,
        tokens: new DeveloperTokenSource("t"),
        proxy: NO_PROXY,
        requestTimeoutMs: 300,
      }),
    );
    try {
      const err = await api.getEvents("5", "all", 10).then(
        () => undefined,
        (e: unknown) => e,
      );
      should(err).be.instanceOf(BoxError);
      (err as BoxError).kind.should.equal("network");
      (err as BoxError).details.code!.should.equal("timeout");
    } finally {
      await api.client.close();
    }
  });

  it("retry-after: 3000000 is clamped: no timer overflow, no request storm", async () => {
    const overflow: string[] = [];
    const onWarning = (w: Error) => overflow.push(w.name);
    process.on("warning", onWarning);
    const emulator: BoxEmulator = await startEmulator();
    const harness = new StreamHarness(emulator).start();
    try {
      await harness.untilPolling();
      emulator.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 3_000_000, times: 1000 });
      emulator.createEvent();
      await waitFor(() => harness.states.some((s) => s.error?.kind === "rateLimited"), "the 429 to be reported");
      const before = emulator.requests.length;
      await delay(1500); // the quiet period is what is measured
      (emulator.requests.length - before).should.be.belowOrEqual(1, "no retry storm");
      overflow.should.not.containEql("TimeoutOverflowWarning");
    } finally {
      process.off("warning", onWarning);
      await harness.stop();
      await emulator.close();
    }
  });

  it("a null, a number or a string among a page's entries is skipped (said once); the stream goes on", async () => {
    let served = 0;
    box = await HostileBox.start({
      events: (_req, res, url) => {
        const from = url.searchParams.get("stream_position");
        if (from !== "100" || served++ > 0) return false;
        const entries = [null, 7, "x", { event_id: "e1", event_type: "ITEM_UPLOAD" }, [], null];
        json(res, 200, { chunk_size: entries.length, next_stream_position: "101", entries });
      },
      realtime: (_req, res, url) => {
        if (url.searchParams.get("stream_position") === "100") return void json(res, 200, { message: "new_change" });
        return false;
      },
    });
    stream = new HostileStream(box);
    await waitFor(() => stream!.delivered.length === 1, "the one real event");
    await waitFor(() => box!.requests.some((r) => r.path.includes("stream_position=101")), "the position to move on");
    stream.delivered.should.eql([{ event_id: "e1", event_type: "ITEM_UPLOAD" }]);
    stream.warnings.should.eql([{ kind: "skippedEntries", count: 5 }]);
    stream.errors().should.be.empty();
  });

  for (const position of ["1e400", "9.9e30", "12345678901234567890.5", "-5", '"12ab"', `"${"9".repeat(41)}"`]) {
    it(`next_stream_position ${position} is refused as a bad answer, never read as a shorter number`, async () => {
      box = await HostileBox.start({
        events: (_req, res, url) => {
          if (url.searchParams.get("stream_position") === "now") return false;
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            `{"chunk_size":1,"next_stream_position":${position},"entries":[{"event_id":"old","event_type":"X"}]}`,
          );
        },
        realtime: (_req, res) => void json(res, 200, { message: "new_change" }),
      });
      stream = new HostileStream(box);
      await waitFor(() => stream!.errors().length >= 2, "two refusals, with a backoff between them");
      stream
        .errors()
        .every((e) => e.kind === "protocol")
        .should.be.true();
      stream.delivered.should.be.empty();
      const asked = box
        .requestsTo("/2.0/events")
        .filter((r) => r.method === "GET")
        .map((r) => new URL(r.path, box!.url).searchParams.get("stream_position"));
      asked.filter((p) => p !== "now" && p !== "100").should.be.empty();
    });
  }

  it("a stream type outside Box's list never reaches a query string", async () => {
    box = await HostileBox.start();
    const api = new EventsApi(
      new BoxClient({ apiBaseUrl: box.url, tokens: new DeveloperTokenSource("t"), proxy: NO_PROXY }),
    );
    try {
      for (const call of [
        () => api.getRealtimeServer("all&stream_type=changes" as never),
        () => api.getEvents("0", "sync#" as never, 10),
      ]) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        (err as BoxError).kind.should.equal("config");
      }
      box.requests.should.be.empty();
    } finally {
      await api.client.close();
    }
  });

  it("a realtime server's retry_timeout, ttl and max_retries are clamped to sane ceilings", async () => {
    box = await HostileBox.start({
      options: (_req, res) =>
        void json(res, 200, {
          entries: [{ url: `${box!.url}/realtime`, retry_timeout: 1e12, ttl: "1e9", max_retries: 1e9 }],
        }),
    });
    const api = new EventsApi(
      new BoxClient({ apiBaseUrl: box.url, tokens: new DeveloperTokenSource("t"), proxy: NO_PROXY }),
    );
    try {
      const server = await api.getRealtimeServer("all");
      server.retryTimeoutMs.should.be.belowOrEqual(MAX_DELAY_MS * 2);
      server.ttlMs.should.be.belowOrEqual(60 * 60_000);
      server.maxRetries.should.be.belowOrEqual(100);
    } finally {
      await api.client.close();
    }
  });
});
