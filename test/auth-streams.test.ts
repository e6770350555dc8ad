import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { collect, configNode, eventsNode, helper, nodeFiles, TAB, tempDir, trickle, waitFor } from "./support/auth";
import type { FlowNode } from "./support/node-helper";

/** CCG and JWT with tokens that expire every 3 seconds, while events flow: nothing lost, nothing twice. */
describe("auth: token expiry while events flow", function () {
  this.timeout(60_000);
  let emu: BoxEmulator;

  beforeEach(async () => {
    emu = await startEmulator({ tokenLifetimeSec: 3 });
    helper.settings({ userDir: tempDir() });
  });
  afterEach(async () => {
    await helper.unload();
    await emu.close();
  });

  async function streamThroughExpiries(config: FlowNode, credentials: Record<string, string>): Promise<void> {
    await helper.load(nodeFiles, [TAB, config, eventsNode("in"), { id: "out", z: "tab", type: "helper" }], {
      cfg: credentials,
    });
    const received = collect("out");
    const created = await trickle(emu, 12, 4, 650); // about 8 s: more than two token lifetimes
    await waitFor(() => received.length >= created.length, "every event", 50_000);
    await new Promise((r) => setTimeout(r, 1000)); // anything late would be a duplicate
    received.map((msg) => msg.payload.event_id).should.eql(created);
    emu.tokenRequestStats().total.should.be.aboveOrEqual(3, "tokens were re-minted while the stream ran");
  }

  it("CCG: re-mints before expiry and after a 401, and loses nothing", async () => {
    await streamThroughExpiries(
      configNode(emu.apiUrl, { authType: "ccg", subjectType: "enterprise", subjectId: "100001" }),
      { clientId: emu.clientId, clientSecret: emu.clientSecret },
    );
  });

  it("JWT: signs a fresh assertion for every token from Box's config file, and loses nothing", async () => {
    const app = await emu.createJwtApp({ passphrase: "correct horse" });
    app.configJson.should.match(/-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    await streamThroughExpiries(configNode(emu.apiUrl, { authType: "jwt", subjectType: "enterprise", subjectId: "" }), {
      jwtConfig: app.configJson,
    });
  });

  it("20 nodes on one config mint one token at a time, about once per lifetime", async () => {
    emu.setTokenDelay(200); // a slow token endpoint makes overlapping requests visible
    const nodes: FlowNode[] = [
      TAB,
      configNode(emu.apiUrl, { authType: "ccg", subjectType: "enterprise", subjectId: "100001" }),
    ];
    for (let i = 0; i < 20; i++)
      nodes.push(eventsNode(`in${i}`, [`out${i}`]), { id: `out${i}`, z: "tab", type: "helper" });
    const started = Date.now();
    await helper.load(nodeFiles, nodes, { cfg: { clientId: emu.clientId, clientSecret: emu.clientSecret } });
    const received = nodes.filter((n) => n.type === "helper").map((n) => collect(n.id));
    const created = await trickle(emu, 8, 2, 700);
    await waitFor(
      () => received.every((list) => list.length >= created.length),
      "every node to get every event",
      50_000,
    );
    const elapsedSec = (Date.now() - started) / 1000;
    for (const list of received) list.map((msg) => msg.payload.event_id).should.eql(created);
    const stats = emu.tokenRequestStats();
    stats.maxConcurrent.should.equal(1);
    // A token lives 3 s and is replaced after 2.4 s: 20 nodes without single flight would need twenty times as many.
    stats.total.should.be.within(2, Math.ceil(elapsedSec / 1.2) + 4);
  });
});

void should;
