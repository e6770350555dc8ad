import should from "should";
import http from "http";
import { startEmulator, type BoxEmulator, type EmulatorOptions } from "../emulator";
import { waitFor } from "./support/wait";

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Plain http with no keep-alive agent, so the handle check sees only what the emulator leaves behind. */
function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error("client timeout")));
    req.end(opts.body);
  });
}

describe("Box emulator", function () {
  this.timeout(5000);
  let emu: BoxEmulator | undefined;
  let token = "";

  async function start(opts?: EmulatorOptions): Promise<BoxEmulator> {
    emu = await startEmulator(opts);
    token = emu.issueToken();
    return emu;
  }
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const events = (e: BoxEmulator, query: string): Promise<Reply> =>
    request(`${e.apiUrl}/2.0/events?${query}`, { headers: auth() });
  async function subscribeUrl(e: BoxEmulator): Promise<string> {
    const r = await request(`${e.apiUrl}/2.0/events`, { method: "OPTIONS", headers: auth() });
    return JSON.parse(r.text).entries[0].url as string;
  }

  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("writes positions above 2^53 as exact bare integers, or as strings", async () => {
    const e = await start();
    e.createEvents(3);
    const r = await events(e, "stream_position=0&limit=2");
    r.status.should.equal(200);
    r.text.should.match(/"next_stream_position":1152922976252290888,/);
    JSON.parse(r.text).chunk_size.should.equal(2);
    e.setQuirks({ positionFormat: "string" });
    (await events(e, "stream_position=now")).text.should.match(/"next_stream_position":"1152922976252290889"/);
  });

  it("paginates by position, with now, 0, the head and bad positions", async () => {
    const e = await start({ positionBase: "1000" });
    const created = e.createEvents(5);
    const p1 = JSON.parse((await events(e, "stream_position=0&limit=2")).text);
    p1.entries.map((x: { event_id: string }) => x.event_id).should.eql(created.slice(0, 2).map((x) => x.event_id));
    p1.next_stream_position.should.equal(1002);
    const p2 = JSON.parse((await events(e, "stream_position=1002&limit=10")).text);
    p2.chunk_size.should.equal(3);
    p2.entries[0].event_id.should.equal(created[2].event_id);
    p2.next_stream_position.should.equal(1005);
    JSON.parse((await events(e, "stream_position=now")).text).should.eql({
      chunk_size: 0,
      next_stream_position: 1005,
      entries: [],
    });
    JSON.parse((await events(e, "stream_position=1005")).text).should.eql({
      chunk_size: 0,
      next_stream_position: 1005,
      entries: [],
    });
    JSON.parse((await events(e, "")).text).chunk_size.should.equal(5);
    JSON.parse((await events(e, "limit=9999")).text).chunk_size.should.equal(5);
    const bad = await events(e, "stream_position=abc");
    bad.status.should.equal(400);
    JSON.parse(bad.text).should.containEql({ type: "error", status: 400 });
  });

  it("filters the changes stream but keeps positions global", async () => {
    const e = await start({ positionBase: "0" });
    e.createEvent({ event_type: "ITEM_DOWNLOAD" });
    e.createEvent({ event_type: "ITEM_RENAME" });
    e.createEvent({ event_type: "COMMENT_CREATE" });
    const p = JSON.parse((await events(e, "stream_position=0&stream_type=changes")).text);
    p.entries.map((x: { event_type: string }) => x.event_type).should.eql(["ITEM_RENAME"]);
    p.next_stream_position.should.equal(3);
    should(e.createEvent({ source: null }).source).be.null();
  });

  it("drains a 10,000-event burst quickly", async () => {
    const e = await start({ positionBase: "0" });
    e.createEvents(10_000);
    const t0 = Date.now();
    let pos = "0";
    let seen = 0;
    for (;;) {
      const page = JSON.parse((await events(e, `stream_position=${pos}&limit=500`)).text);
      if (page.chunk_size === 0) break;
      seen += page.chunk_size;
      pos = String(page.next_stream_position);
    }
    seen.should.equal(10_000);
    (Date.now() - t0).should.be.below(2000);
  });

  it("models at-least-once, short pages and retention", async () => {
    const e = await start({ positionBase: "0", retentionEvents: 50 });
    e.createEvents(60);
    e.setQuirks({ duplicatePages: true, shortPages: true });
    const ids: string[] = [];
    let pos = "0";
    let pages = 0;
    for (;;) {
      const page = JSON.parse((await events(e, `stream_position=${pos}&limit=30`)).text);
      if (page.chunk_size === 0) break;
      page.entries.length.should.be.belowOrEqual(10 + 2);
      ids.push(...page.entries.map((x: { event_id: string }) => x.event_id));
      pos = String(page.next_stream_position);
      pages++;
    }
    pos.should.equal("60");
    new Set(ids).size.should.equal(50);
    // two repeats a page after the first, one fewer when the first page held a single event (none before retention)
    ids.length.should.be.within(50 + 2 * (pages - 1) - 1, 50 + 2 * (pages - 1));
    const url = await subscribeUrl(e);
    JSON.parse((await request(`${url}&stream_position=5`)).text).should.eql({ message: "out_of_date" });
    JSON.parse((await request(`${url}&stream_position=10`)).text).should.eql({ message: "new_change" });
  });

  it("advertises a realtime server and holds a poll until an event arrives", async () => {
    const e = await start();
    const opts = JSON.parse(
      (await request(`${e.apiUrl}/2.0/events?stream_type=changes`, { method: "OPTIONS", headers: auth() })).text,
    );
    opts.entries[0].should.containEql({ type: "realtime_server", ttl: "10", max_retries: "10", retry_timeout: 610 });
    opts.entries[0].url.should.startWith(`${e.realtimeUrl}/subscribe?channel=`).and.endWith("&stream_type=changes");
    const head = JSON.parse((await events(e, "stream_position=now")).text).next_stream_position;
    const held = request(`${await subscribeUrl(e)}&stream_position=${head}`);
    await waitFor(() => e.heldPolls() === 1, "the poll to be held");
    e.createEvent();
    JSON.parse((await held).text).should.eql({ message: "new_change" });
    e.heldPolls().should.equal(0);
    e.requests.filter((r) => r.server === "realtime").forEach((r) => should(r.authorization).be.undefined());
  });

  it("answers new_change at once when events exist after the position, and other messages", async () => {
    const e = await start({ positionBase: "500", maxRetries: 3 });
    e.createEvents(2);
    const url = await subscribeUrl(e);
    JSON.parse((await request(`${url}&stream_position=501`)).text).should.eql({ message: "new_change" });
    JSON.parse((await request(`${url}&stream_position=0`)).text).should.eql({ message: "out_of_date" });
    JSON.parse((await request(`${url}&stream_position=500`)).text).should.eql({ message: "new_change" });
    JSON.parse((await request(`${url}&stream_position=500`)).text).should.eql({ message: "max_retries" });
    JSON.parse((await request(`${e.realtimeUrl}/subscribe?channel=nope`)).text).should.eql({
      message: "reconnect",
      version: 1,
    });
  });

  it("answers reconnect after realtimeTimeoutMs and releases abandoned polls", async () => {
    const e = await start({ realtimeTimeoutMs: 100 });
    const url = await subscribeUrl(e);
    JSON.parse((await request(`${url}&stream_position=now`)).text).should.eql({ version: 1, message: "reconnect" });
    e.setQuirks({ realtimeTimeoutMs: 60_000 });
    await request(url, { timeoutMs: 50 }).should.be.rejectedWith("client timeout");
    await waitFor(() => e.heldPolls() === 0, "the abandoned poll to be released");
  });

  it("injects reset, hang, status and garbage faults in FIFO order", async () => {
    const e = await start();
    e.injectFault({ target: "events", kind: "reset" });
    e.injectFault({ target: "events", kind: "status", status: 429, retryAfter: 2 });
    e.injectFault({ target: "any", kind: "garbage" });
    e.injectFault({ target: "realtime", kind: "hang" });
    await events(e, "stream_position=now").should.be.rejected();
    const limited = await events(e, "stream_position=now");
    limited.status.should.equal(429);
    limited.headers["retry-after"]!.should.equal("2");
    JSON.parse(limited.text).should.containEql({ type: "error", status: 429, code: "rate_limit_exceeded" });
    const garbage = await request(`${e.apiUrl}/2.0/users/me`, { headers: auth() });
    garbage.status.should.equal(200);
    garbage.text.should.equal("<html>502 Bad Gateway</html>");
    (await events(e, "stream_position=now")).status.should.equal(200);
    await request(`${e.realtimeUrl}/subscribe?channel=x`, { timeoutMs: 100 }).should.be.rejectedWith("client timeout");
    e.injectFault({ target: "token", kind: "hang" });
    const pending = request(`${e.apiUrl}/oauth2/token`, {
      method: "POST",
      body: "grant_type=client_credentials",
    }).catch(() => "closed");
    await waitFor(() => e.requests.some((r) => r.path.startsWith("/oauth2/token")), "the hanging token request");
    await e.close();
    (await pending).should.equal("closed");
  });

  it("mints CCG tokens and answers 401 for revoked or expired ones", async () => {
    const e = await start();
    const form = `grant_type=client_credentials&client_id=${e.clientId}&client_secret=${e.clientSecret}&box_subject_type=enterprise&box_subject_id=100001`;
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const minted = JSON.parse(
      (await request(`${e.apiUrl}/oauth2/token`, { method: "POST", headers, body: form })).text,
    );
    minted.should.containEql({ expires_in: 3600, token_type: "bearer" });
    (
      await request(`${e.apiUrl}/2.0/users/me`, { headers: { authorization: `Bearer ${minted.access_token}` } })
    ).status.should.equal(200);
    const bad = await request(`${e.apiUrl}/oauth2/token`, {
      method: "POST",
      headers,
      body: form.replace("demo-client-secret", "x"),
    });
    bad.status.should.equal(400);
    JSON.parse(bad.text).error.should.equal("invalid_client");
    e.revokeToken(token);
    const denied = await events(e, "stream_position=now");
    denied.status.should.equal(401);
    denied.headers["www-authenticate"]!.should.match(/error="invalid_token"/);
    denied.text.should.equal("");
    e.expireAllTokens();
    (
      await request(`${e.apiUrl}/2.0/users/me`, { headers: { authorization: `Bearer ${minted.access_token}` } })
    ).status.should.equal(401);
  });

  it("offers a control API", async () => {
    const e = await start();
    const made = await request(`${e.apiUrl}/_emulator/events`, {
      method: "POST",
      body: JSON.stringify({ count: 3, event_type: "ITEM_TRASH" }),
    });
    made.status.should.equal(201);
    JSON.parse(made.text).length.should.equal(3);
    e.events()[2].event_type.should.equal("ITEM_TRASH");
    (
      await request(`${e.apiUrl}/_emulator/faults`, {
        method: "POST",
        body: JSON.stringify({ target: "options", kind: "status", status: 503 }),
      })
    ).status.should.equal(201);
    (await request(`${e.apiUrl}/2.0/events`, { method: "OPTIONS", headers: auth() })).status.should.equal(503);
    const stats = JSON.parse((await request(`${e.apiUrl}/_emulator/stats`)).text);
    stats.should.containEql({ events: 3, heldPolls: 0 });
    const huge = await request(`${e.apiUrl}/_emulator/events`, { method: "POST", body: "x".repeat(1024 * 1024 + 1) });
    huge.status.should.equal(413);
  });

  it("close() ends held polls and sockets and leaves no active handles", async () => {
    await new Promise((r) => setTimeout(r, 20));
    const before = process.getActiveResourcesInfo().length;
    const e = await start();
    const held = request(await subscribeUrl(e)).catch(() => "closed");
    await waitFor(() => e.heldPolls() === 1, "the poll to be held");
    e.openConnections().should.be.above(0);
    await e.close();
    e.openConnections().should.equal(0);
    e.heldPolls().should.equal(0);
    (await held).should.equal("closed");
    await waitFor(() => process.getActiveResourcesInfo().length <= before, "no handle left behind", 2000);
  });
});
