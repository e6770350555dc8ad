import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { collect, eventsNode, helper, nodeFiles, sleep, TAB, tempDir, tokenRequests, waitFor } from "./support/auth";

/** What a Status node sends: the status a node showed, and which node. */
interface StatusMsg {
  status: { fill?: string; text?: string; source: { id: string } };
}

/**
 * Each credential problem: a red ring with a short reason on every events node, one error per node
 * that a Catch node receives, and no storm of token requests.
 */
describe("auth: clear errors", function () {
  this.timeout(60_000);
  let emu: BoxEmulator;
  const NODES = ["in0", "in1", "in2"];

  beforeEach(async () => {
    emu = await startEmulator({ tokenLifetimeSec: 60 });
    helper.settings({ userDir: tempDir() });
  });
  afterEach(async () => {
    await helper.unload();
    await emu.close();
  });

  async function load(config: Record<string, unknown>, credentials: Record<string, string>) {
    const flow = [
      TAB,
      {
        id: "cfg",
        z: "tab",
        type: "box-config",
        apiBaseUrl: emu.apiUrl,
        subjectType: "enterprise",
        subjectId: "",
        ...config,
      },
      ...NODES.map((id) => eventsNode(id)),
      { id: "out", z: "tab", type: "helper" },
      { id: "catcher", z: "tab", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "tab", type: "helper" },
      { id: "watcher", z: "tab", type: "status", scope: null, wires: [["statuses"]] },
      { id: "statuses", z: "tab", type: "helper" },
    ];
    await helper.load(nodeFiles, flow, { cfg: credentials });
    const [caught, received] = [collect("caught"), collect("out")];
    const statuses = collect("statuses") as unknown as StatusMsg[];
    const lastStatus = (id: string) => [...statuses].reverse().find((msg) => msg.status.source.id === id)?.status;
    return { caught, statuses, received, lastStatus };
  }

  /** Waits for the red ring and the caught errors, then watches the token endpoint for a few seconds. */
  async function expectFailure(
    view: Awaited<ReturnType<typeof load>>,
    reason: string,
    maxTokenRequests: number,
  ): Promise<void> {
    await waitFor(() => NODES.every((id) => view.lastStatus(id)?.fill === "red"), `red status "${reason}"`);
    for (const id of NODES) view.lastStatus(id)!.should.containEql({ fill: "red", text: reason });
    await waitFor(() => view.caught.length >= NODES.length, "an error per node at the Catch node");
    for (const msg of view.caught) {
      should(msg.payload.reason).equal(reason);
      should(msg.error?.message).be.a.String();
    }
    const requestsAtFailure = tokenRequests(emu);
    await sleep(2500);
    view.caught.length.should.equal(NODES.length, "each node reports the error once");
    tokenRequests(emu).should.be.belowOrEqual(maxTokenRequests);
    tokenRequests(emu).should.equal(requestsAtFailure, "no retries within seconds of the failure");
  }

  it("CCG with a wrong client secret", async () => {
    const view = await load(
      { authType: "ccg", subjectId: "100001" },
      { clientId: emu.clientId, clientSecret: "wrong" },
    );
    await expectFailure(view, "wrong client ID or secret", 1);
  });

  it("JWT config that is not JSON, lacks a field, or has the wrong passphrase: no request at all", async () => {
    const app = await emu.createJwtApp({ passphrase: "right" });
    const noKeyId = JSON.parse(app.configJson);
    delete noKeyId.boxAppSettings.appAuth.publicKeyID;
    const cases: [string, string][] = [
      ["{ this is not json", "JWT config is not JSON"],
      [JSON.stringify(noKeyId), "JWT config lacks publicKeyID"],
      [app.configJson.replace('"passphrase": "right"', '"passphrase": "wrong"'), "wrong JWT passphrase"],
    ];
    for (const [jwtConfig, reason] of cases) {
      const view = await load({ authType: "jwt" }, { jwtConfig });
      await waitFor(() => NODES.every((id) => view.lastStatus(id)?.fill === "red"), reason);
      view.lastStatus("in0")!.text!.should.equal(reason);
      await waitFor(() => view.caught.length >= NODES.length, "caught errors");
      view.caught[0].payload.should.containEql({ kind: "config", reason });
      tokenRequests(emu).should.equal(0);
      await helper.unload();
    }
  });

  it("JWT with the host clock 5 minutes off: corrects from Box's Date header, then keeps the offset", async () => {
    const app = await emu.createJwtApp();
    emu.setClockSkew(5 * 60_000);
    const view = await load({ authType: "jwt" }, { jwtConfig: app.configJson });
    await waitFor(() => NODES.every((id) => view.lastStatus(id)?.fill === "green"), "polling");
    tokenRequests(emu).should.equal(2, "one refused for exp, one accepted");
    emu.expireAllTokens();
    emu.createEvent();
    await waitFor(() => view.received.length === NODES.length, "the event on every node");
    tokenRequests(emu).should.equal(3, "the remembered offset makes the next assertion right the first time");
  });

  it("JWT with clock skew Box's answer cannot correct: red 'clock skew'", async () => {
    const app = await emu.createJwtApp();
    emu.setClockSkew(-5 * 60_000, { dateHeader: "none" });
    const view = await load({ authType: "jwt" }, { jwtConfig: app.configJson });
    await expectFailure(view, "clock skew", 1);
  });

  it("OAuth 2 with a revoked refresh token: red 'refresh token revoked', and the editor's status says so", async () => {
    const pair = emu.issueTokenPair();
    const view = await load(
      { authType: "oauth2" },
      { clientId: emu.clientId, clientSecret: emu.clientSecret, refreshToken: pair.refreshToken },
    );
    await waitFor(() => NODES.every((id) => view.lastStatus(id)?.fill === "green"), "polling");
    emu.revokeRefreshTokens();
    emu.expireAllTokens();
    const before = tokenRequests(emu);
    emu.createEvent();
    await expectFailure(view, "refresh token revoked", before + 1);
    const status = await helper.request().get("/box-config/oauth2/status").query({ id: "cfg" }).expect(200);
    status.body.should.eql({ authorized: false, error: "refresh token revoked" });
  });

  it("developer token: says Box refused it (not that it expired: a 401 does not say why)", async () => {
    const token = emu.issueToken({ lifetimeSec: 3600 });
    const view = await load({ authType: "developerToken" }, { accessToken: token });
    await waitFor(() => NODES.every((id) => view.lastStatus(id)?.fill === "green"), "polling");
    emu.revokeToken(token);
    emu.createEvent();
    await expectFailure(
      view,
      "unauthorized: Box refused the developer token (invalid or no longer valid): generate a new one in the Developer Console",
      0,
    );
  });
});

void should;
