import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { approveInBrowser, eventsNode, helper, nodeFiles, sleep, TAB, tempDir, waitFor } from "./support/auth";

const CALLBACK = "http://127.0.0.1:1880/box-config/oauth2/callback";

describe("security: the dialog's admin endpoints (test helper)", function () {
  this.timeout(60_000);
  let emu: BoxEmulator;

  beforeEach(() => helper.settings({ userDir: tempDir() }));
  afterEach(async () => {
    await helper.unload();
    await emu.close();
  });

  const configNode = () => ({ id: "cfg", z: "tab", type: "box-config", authType: "oauth2", apiBaseUrl: emu.apiUrl });
  const credentials = () => ({ cfg: { clientId: emu.clientId, clientSecret: emu.clientSecret } });

  async function authorize(): Promise<void> {
    const start = await helper
      .request()
      .post("/box-config/oauth2/start")
      .send({
        id: "cfg",
        apiBaseUrl: emu.apiUrl,
        clientId: emu.clientId,
        clientSecret: "__PWRD__",
        redirectUri: CALLBACK,
      })
      .expect(200);
    const redirect = await approveInBrowser(start.body.authorizeUrl);
    (await helper.request().get(`/box-config/oauth2/callback${redirect.search}`).expect(200)).text.should.match(
      /Authorized as/,
    );
  }

  it("Test connection calls an access token Box answers 401 to refused, not expired (developer token, OAuth 2)", async () => {
    emu = await startEmulator({ tokenLifetimeSec: 3600 });
    await helper.load(nodeFiles, [TAB], {});
    const test = async (authType: string, credentials: Record<string, string>) =>
      (
        await helper
          .request()
          .post("/box-config/test")
          .send({ id: "new", authType, apiBaseUrl: emu.apiUrl, credentials })
      ).body as { ok: boolean; reason: string };
    const developer = await test("developerToken", { accessToken: "not-a-token-box-issued" });
    should(developer).match({ ok: false, reason: /^unauthorized: Box refused the developer token/ });
    const oauth2 = await test("oauth2", { clientId: emu.clientId, accessToken: "not-a-token-box-issued" });
    should(oauth2).match({ ok: false, reason: "unauthorized: Box refused the access token (invalid or revoked)" });
    for (const answer of [developer, oauth2]) should(answer.reason).not.match(/expired/);
    should(await test("developerToken", { accessToken: emu.issueToken() })).match({ ok: true });
  });

  it("an OAuth 2 test with an expired stored access token says so and refreshes nothing", async () => {
    emu = await startEmulator({ tokenLifetimeSec: 1 });
    await helper.load(nodeFiles, [TAB, configNode()], credentials());
    await authorize();
    await sleep(1100); // the stored access token expires; no node uses the config, so nothing renews it
    const before = emu.tokenRequestStats().total;
    const res = await helper
      .request()
      .post("/box-config/test")
      .send({ id: "cfg", authType: "oauth2", apiBaseUrl: emu.apiUrl, credentials: { clientSecret: "__PWRD__" } });
    res.body.should.containEql({ ok: false });
    res.body.reason.should.match(/noFreshAccessToken|no fresh access token/);
    emu.tokenRequestStats().total.should.equal(before, "no refresh: the refresh token was not rotated");
    (await helper.request().get("/box-config/oauth2/status").query({ id: "cfg" })).body.authorized.should.be.true();
  });

  it("the callback stores its tokens only after a refresh under way for the same node has finished", async () => {
    emu = await startEmulator({ tokenLifetimeSec: 3600 });
    await helper.load(nodeFiles, [TAB, configNode()], credentials());
    await authorize();
    await helper.unload();
    await helper.load(
      nodeFiles,
      [TAB, configNode(), eventsNode("in"), { id: "out", z: "tab", type: "helper" }],
      credentials(),
    );
    const received: unknown[] = [];
    helper.getNode("out").on("input", (msg: unknown) => received.push(msg));
    await waitFor(() => emu.heldPolls() > 0, "the node's long poll");
    emu.setTokenDelay(1500);
    emu.expireAllTokens();
    emu.createEvent(); // the fetch gets a 401: the node refreshes, slowly
    await waitFor(() => emu.tokenRequestStats().inflight === 1, "the node's refresh under way");
    emu.setTokenDelay(0);
    await authorize();
    should(emu.tokenRequestStats().inflight).equal(0, "the callback waited for the refresh before writing");
    await waitFor(() => received.length === 1, "the event, with the refreshed token");
  });
});
