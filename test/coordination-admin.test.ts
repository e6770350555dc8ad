import os from "os";
import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { helper, nodeFiles, TAB, tempDir, waitFor } from "./support/auth";
import { RedisServer, redisServerInstalled } from "./support/redis-server";

const PASSWORD = "redis-pw-9f3k";

/** The dialog's Test Redis button against a real redis-server, with a node holding its lease in the runtime. */
describe("coordination: the config dialog's Test Redis button (test helper)", function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let emu: BoxEmulator;

  before(async function () {
    if (!redisServerInstalled()) return this.skip();
    redis = await RedisServer.start({ password: PASSWORD });
    emu = await startEmulator();
    process.env.BOX_TEST_REDIS_URL = redis.url;
    helper.settings({ userDir: tempDir() });
    const flow = [
      TAB,
      { id: "cfg", z: "tab", type: "box-config", authType: "developerToken", apiBaseUrl: emu.apiUrl, haPrefix: "dlg" },
      { id: "ev1", z: "tab", type: "box-events-in", box: "cfg", streamType: "all", startFrom: "now", wires: [[]] },
    ];
    await helper.load(nodeFiles, flow, {
      cfg: { accessToken: emu.issueToken(), redisUrl: "${BOX_TEST_REDIS_URL}" },
    });
    await waitFor(() => emu.heldPolls() === 1, "the node holding the lease and polling");
  });
  after(async () => {
    delete process.env.BOX_TEST_REDIS_URL;
    await helper.unload();
    await emu?.close();
    await redis?.stop();
  });

  const test = (body: Record<string, unknown>) => helper.request().post("/box-config/test-redis").send(body);

  it("pings the stored Redis and lists who holds each lease, without the URL or its password", async () => {
    const res = await test({ id: "cfg", haPrefix: "dlg", credentials: { redisUrl: "__PWRD__" } }).expect(200);
    res.body.ok.should.be.true();
    res.body.latencyMs.should.be.a.Number();
    res.body.leases.should.eql([{ stream: "ev1:all:now", holder: `${os.hostname()}/${process.pid}` }]);
    res.text.should.not.containEql(PASSWORD);
    res.text.should.not.containEql(String(redis.port));
  });

  it("says what is wrong with a wrong password, an unreachable Redis or another scheme, and never quotes the URL", async () => {
    const cases: [string, RegExp][] = [
      [`redis://:wrong-secret@127.0.0.1:${redis.port}`, /user name or password|redisAuthFailed/],
      ["redis://:wrong-secret@127.0.0.1:1", /coordination unreachable|coordinationUnreachable/],
      ["http://:wrong-secret@127.0.0.1:1", /invalid Redis URL|invalidRedisUrl/],
    ];
    for (const [redisUrl, reason] of cases) {
      const res = await test({ id: "cfg", haPrefix: "dlg", credentials: { redisUrl } }).expect(200);
      res.body.ok.should.be.false();
      should(res.body.reason).match(reason);
      res.text.should.not.containEql("wrong-secret");
    }
  });
});
