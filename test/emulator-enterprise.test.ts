import should from "should";
import { ccgTokenSource } from "../nodes/box/auth/ccg";
import { jwtTokenSource, parseJwtConfig } from "../nodes/box/auth/jwt";
import { HttpClient } from "../nodes/box/http/http";
import { NO_PROXY } from "../nodes/box/http/proxy-settings";
import { startEmulator, type BoxEmulator } from "../emulator";

interface Page {
  status: number;
  text: string;
  body: { entries?: { event_id: string; event_type: string }[]; next_stream_position?: unknown; code?: string };
}

/** The emulator's enterprise streams, as a client of Box would see them. */
describe("Box emulator: enterprise event streams", function () {
  let emu: BoxEmulator;
  let admin = "";
  let http: HttpClient | undefined;

  beforeEach(async () => {
    emu = await startEmulator();
    admin = emu.issueToken({ admin: true });
  });
  afterEach(async () => {
    await http?.close();
    http = undefined;
    await emu.close();
  });

  async function get(query: string, token = admin, method = "GET"): Promise<Page> {
    const res = await fetch(`${emu.apiUrl}/2.0/events?${query}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : {} };
  }

  it("answers OPTIONS with an error for both types: Box has no realtime server for them", async () => {
    for (const type of ["admin_logs", "admin_logs_streaming"]) {
      const r = await get(`stream_type=${type}`, admin, "OPTIONS");
      r.status.should.equal(400);
      should(r.text).not.match(/realtime_server/);
    }
    (await get("stream_type=all", admin, "OPTIONS")).status.should.equal(200); // user streams still have one
  });

  it("serves an enterprise admin's token only: CCG and JWT for the enterprise, not for a user", async () => {
    emu.createEnterpriseEvents(2);
    http = new HttpClient(NO_PROXY);
    const ccg = (subjectType: "enterprise" | "user", subjectId: string) =>
      ccgTokenSource(http!, emu.apiUrl, {
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        subjectType,
        subjectId,
      });
    const app = await emu.createJwtApp();
    const jwt = (type: "enterprise" | "user", id: string) =>
      jwtTokenSource(http!, emu.apiUrl, parseJwtConfig(app.configJson), { type, id });
    const tokens = {
      ccgEnterprise: await ccg("enterprise", "100001").token(),
      ccgUser: await ccg("user", "200002").token(),
      jwtEnterprise: await jwt("enterprise", "100001").token(),
      jwtUser: await jwt("user", "200002").token(),
      developer: emu.issueToken(),
    };
    for (const type of ["admin_logs", "admin_logs_streaming"]) {
      (await get(`stream_type=${type}&stream_position=0`, tokens.ccgEnterprise)).body.entries!.should.have.length(2);
      (await get(`stream_type=${type}&stream_position=0`, tokens.jwtEnterprise)).body.entries!.should.have.length(2);
      for (const token of [tokens.ccgUser, tokens.jwtUser, tokens.developer]) {
        const r = await get(`stream_type=${type}&stream_position=0`, token);
        r.status.should.equal(403);
        should(r.body.code).equal("access_denied_insufficient_permissions");
      }
      // a user's token still reads the user's own stream
      (await get("stream_type=all&stream_position=now", tokens.ccgUser)).status.should.equal(200);
    }
  });

  it("admin_logs: in order, created_after/created_before, event_type, and position 0 on an empty page", async () => {
    const created = ["LOGIN", "FAILED_LOGIN", "SHARE", "FAILED_LOGIN"].map((event_type) =>
      emu.createEnterpriseEvent({ event_type }),
    );
    const all = await get("stream_type=admin_logs&stream_position=0&limit=500");
    all.body.entries!.map((e) => e.event_id).should.eql(created.map((e) => e.event_id));
    const next = all.text.match(/"next_stream_position":(\d+)/)![1];
    next.length.should.be.above(16); // above 2^53, written as a bare integer
    const empty = await get(`stream_type=admin_logs&stream_position=${next}`);
    empty.body.entries!.should.have.length(0);
    empty.text.should.match(/"next_stream_position":0,/);
    emu.setQuirks({ positionFormat: "string" });
    (await get(`stream_type=admin_logs&stream_position=${next}`)).text.should.match(/"next_stream_position":"0",/);

    const failed = await get("stream_type=admin_logs&event_type=FAILED_LOGIN,SHARE");
    failed.body.entries!.map((e) => e.event_type).should.eql(["FAILED_LOGIN", "SHARE", "FAILED_LOGIN"]);
    const later = new Date(Date.now() + 2000).toISOString();
    (await get(`stream_type=admin_logs&created_after=${later}`)).body.entries!.should.have.length(0);
    (await get(`stream_type=admin_logs&created_before=2001-01-01T00:00:00Z`)).body.entries!.should.have.length(0);
    (await get("stream_type=admin_logs&stream_position=now")).status.should.equal(400);
  });

  it("admin_logs_streaming: now, repeats of the page before, not in order, its own position on an empty page", async () => {
    const head = await get("stream_type=admin_logs_streaming&stream_position=now");
    head.body.entries!.should.have.length(0);
    const start = head.text.match(/"next_stream_position":(\d+)/)![1];
    const created = emu.createEnterpriseEvents(30);
    const first = await get(`stream_type=admin_logs_streaming&stream_position=${start}&limit=10`);
    const firstIds = first.body.entries!.map((e) => e.event_id);
    [...firstIds].sort().should.eql(
      created
        .slice(0, 10)
        .map((e) => e.event_id)
        .sort(),
    );
    const next = first.text.match(/"next_stream_position":(\d+)/)![1];
    const second = await get(`stream_type=admin_logs_streaming&stream_position=${next}&limit=10`);
    const secondIds = second.body.entries!.map((e) => e.event_id);
    secondIds.should.have.length(12); // ten new ones and two from the page before
    secondIds.filter((id) => firstIds.includes(id)).should.have.length(2);
    // not in order: over a few pages, the order differs from the creation order at least once
    let shuffled = false;
    for (let i = 0; i < 5 && !shuffled; i++) {
      const page = await get(`stream_type=admin_logs_streaming&stream_position=${start}&limit=30`);
      shuffled = page.body.entries!.some((e, at) => e.event_id !== created[at].event_id);
    }
    shuffled.should.be.true();
    const end = second.text.match(/"next_stream_position":(\d+)/)![1];
    const all = await get(`stream_type=admin_logs_streaming&stream_position=${end}&limit=500`);
    const last = all.text.match(/"next_stream_position":(\d+)/)![1];
    const empty = await get(`stream_type=admin_logs_streaming&stream_position=${last}`);
    empty.body.entries!.should.have.length(0);
    empty.text.should.containEql(`"next_stream_position":${last},`);
  });

  it("creates enterprise events and admin tokens through the control API", async () => {
    const res = await fetch(`${emu.apiUrl}/_emulator/enterprise-events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 3, event_type: "SHIELD_ALERT" }),
    });
    res.status.should.equal(201);
    ((await res.json()) as unknown[]).should.have.length(3);
    emu
      .enterpriseEvents()
      .map((e) => e.event_type)
      .should.eql(["SHIELD_ALERT", "SHIELD_ALERT", "SHIELD_ALERT"]);
    const issued = await fetch(`${emu.apiUrl}/_emulator/tokens`, { method: "POST", body: '{"admin":true}' });
    const { access_token } = (await issued.json()) as { access_token: string };
    (await get("stream_type=admin_logs", access_token)).body.entries!.should.have.length(3);
  });
});
