import fs from "fs";
import path from "path";
import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import {
  approveInBrowser,
  collect,
  configNode,
  oauth2FileFlow,
  eventsNode,
  filesUnder,
  helper,
  nodeFiles,
  sleep,
  TAB,
  tempDir,
  tokenRequests,
  trickle,
  waitFor,
} from "./support/auth";
import { NodeRedProcess } from "./support/node-red-process";

const CALLBACK = "http://127.0.0.1:1880/box-config/oauth2/callback";

describe("auth: OAuth 2 authorization through the admin endpoints (test helper)", function () {
  this.timeout(60_000);
  let emu: BoxEmulator;
  let userDir: string;

  beforeEach(async () => {
    emu = await startEmulator({ tokenLifetimeSec: 60 });
    userDir = tempDir();
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    await emu.close();
  });

  const oauth2Config = () => configNode(emu.apiUrl, { authType: "oauth2" });
  const credentials = () => ({ cfg: { clientId: emu.clientId, clientSecret: emu.clientSecret } });

  async function authorize(id: string, clientSecret = "__PWRD__"): Promise<URL> {
    const start = await helper
      .request()
      .post("/box-config/oauth2/start")
      .send({ id, apiBaseUrl: emu.apiUrl, clientId: emu.clientId, clientSecret, redirectUri: CALLBACK })
      .expect(200);
    const url = new URL(start.body.authorizeUrl);
    `${url.origin}${url.pathname}`.should.equal(`${emu.apiUrl}/api/oauth2/authorize`);
    url.searchParams.get("response_type")!.should.equal("code");
    url.searchParams.get("redirect_uri")!.should.equal(CALLBACK);
    return approveInBrowser(url.toString());
  }

  const callback = (redirect: URL) => helper.request().get(`/box-config/oauth2/callback${redirect.search}`);

  it("start → consent page → callback → status shows the user; the state is single use", async () => {
    await helper.load(nodeFiles, [TAB, oauth2Config()], credentials());
    (await helper.request().get("/box-config/oauth2/status").query({ id: "cfg" }).expect(200)).body.should.eql({
      authorized: false,
    });

    const redirect = await authorize("cfg");
    `${redirect.origin}${redirect.pathname}`.should.equal(CALLBACK);
    const page = await callback(redirect).expect(200);
    page.text.should.match(/Authorized as Demo User \(demo@example\.com\)\. You can close this window\./);

    const status = await helper.request().get("/box-config/oauth2/status").query({ id: "cfg" }).expect(200);
    status.body.should.eql({ authorized: true, user: { name: "Demo User", login: "demo@example.com" } });
    const test = await helper
      .request()
      .post("/box-config/test")
      .send({
        id: "cfg",
        authType: "oauth2",
        apiBaseUrl: emu.apiUrl,
        credentials: { clientId: emu.clientId, clientSecret: "__PWRD__" },
      });
    test.body.should.eql({ ok: true, user: { id: "200002", name: "Demo User", login: "demo@example.com" } });

    const tokensBefore = tokenRequests(emu);
    (await callback(redirect).expect(400)).text.should.match(/expired or was already used/);
    (await helper.request().get("/box-config/oauth2/callback?code=x&state=forged").expect(400)).text.should.match(
      /expired or was already used/,
    );
    tokenRequests(emu).should.equal(tokensBefore, "a replayed or forged state exchanges nothing");
  });

  it("a denied consent or an unknown node stores nothing; Box's own authorize URL for the default API", async () => {
    await helper.load(nodeFiles, [TAB, oauth2Config()], credentials());
    const start = await helper
      .request()
      .post("/box-config/oauth2/start")
      .send({
        id: "other",
        apiBaseUrl: emu.apiUrl,
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        redirectUri: CALLBACK,
      })
      .expect(200);
    const state = new URL(start.body.authorizeUrl).searchParams.get("state")!;
    const denied = await helper
      .request()
      .get("/box-config/oauth2/callback")
      .query({ error: "access_denied", error_description: "<denied>", state })
      .expect(400);
    denied.text.should.match(/did not authorize the app: &#60;denied&#62;/);
    (await helper.request().get("/box-config/oauth2/status").query({ id: "other" })).body.authorized.should.be.false();

    // the stored client secret belongs to the emulator's origin: another API URL needs it typed in again
    const elsewhere = await helper
      .request()
      .post("/box-config/oauth2/start")
      .send({
        id: "cfg",
        apiBaseUrl: "https://api.box.com",
        clientId: "abc",
        clientSecret: "__PWRD__",
        redirectUri: CALLBACK,
      })
      .expect(400);
    // the test helper loads no message catalog: the key stands for the message (the real-process test reads it)
    elsewhere.body.error.should.match(/storedSecretsElsewhere|only sent to this node's own API URL/);
    const box = await helper
      .request()
      .post("/box-config/oauth2/start")
      .send({
        id: "cfg",
        apiBaseUrl: "https://api.box.com",
        clientId: "abc",
        clientSecret: "typed-again",
        redirectUri: CALLBACK,
      })
      .expect(200);
    box.body.authorizeUrl.should.match(
      /^https:\/\/account\.box\.com\/api\/oauth2\/authorize\?response_type=code&client_id=abc&redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A1880%2Fbox-config%2Foauth2%2Fcallback&state=[\w-]{20,}$/,
    );
    await helper
      .request()
      .post("/box-config/oauth2/start")
      .send({ id: "x", clientId: "abc", redirectUri: CALLBACK })
      .expect(400);
  });

  it("the test endpoint uses stored passwords for __PWRD__ and gives short reasons", async () => {
    const flow = [TAB, configNode(emu.apiUrl, { authType: "ccg", subjectType: "enterprise", subjectId: "100001" })];
    await helper.load(nodeFiles, flow, credentials());
    const body = {
      id: "cfg",
      authType: "ccg",
      apiBaseUrl: emu.apiUrl,
      subjectType: "enterprise",
      subjectId: "100001",
      credentials: { clientId: emu.clientId, clientSecret: "__PWRD__" },
    };
    (await helper.request().post("/box-config/test").send(body)).body.should.containEql({ ok: true });
    const wrong = await helper
      .request()
      .post("/box-config/test")
      .send({ ...body, credentials: { clientId: emu.clientId, clientSecret: "nope" } });
    wrong.body.should.eql({ ok: false, reason: "wrong client ID or secret" });
    const jwt = await helper
      .request()
      .post("/box-config/test")
      .send({ ...body, authType: "jwt", credentials: { jwtConfig: "{}" } });
    jwt.body.should.eql({ ok: false, reason: "JWT config lacks boxAppSettings" });
  });

  it("a node deployed after authorizing uses the stored tokens; deleting the node deletes them", async () => {
    await helper.load(nodeFiles, [TAB], {});
    await callback(await authorize("cfg", emu.clientSecret)).expect(200);
    await helper.unload();
    emu.clearRequests();
    await helper.load(
      nodeFiles,
      [TAB, oauth2Config(), eventsNode("in"), { id: "out", z: "tab", type: "helper" }],
      credentials(),
    );
    const received = collect("out");
    emu.createEvents(3);
    await waitFor(() => received.length === 3, "events with the authorized tokens");
    tokenRequests(emu).should.equal(0, "the stored access token is still fresh");

    const storeFile = path.join(userDir, ".box-tokens.json");
    const before = fs.readFileSync(storeFile, "utf8");
    await helper
      .request()
      .get("/box-config/oauth2/status")
      .query({ id: "cfg" })
      .expect(200, { authorized: true, user: { name: "Demo User", login: "demo@example.com" } });
    await helper.setFlows([TAB], "full");
    await waitFor(
      async () => !(await helper.request().get("/box-config/oauth2/status").query({ id: "cfg" })).body.authorized,
      "the entry to go",
    );
    fs.readFileSync(storeFile, "utf8").should.not.equal(before);
  });
});

describe("auth: OAuth 2 on a real Node-RED, across a restart without a deploy", function () {
  this.timeout(120_000);
  let emu: BoxEmulator | undefined;
  let nr: NodeRedProcess | undefined;

  after(async () => {
    await nr?.stop();
    await emu?.close();
  });

  it("rotates the refresh token on every refresh, authenticates after a restart, and keeps no token in clear text", async () => {
    emu = await startEmulator({ tokenLifetimeSec: 2 });
    const outFile = path.join(tempDir("box-out-"), "events.jsonl");
    nr = await NodeRedProcess.start({ flows: [] });
    const post = (route: string, body: object) =>
      fetch(`${nr!.url}${route}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    // Authorize before the node exists, through the runtime's own admin endpoints.
    const redirectUri = `${nr.url}/box-config/oauth2/callback`;
    const start = await post("/box-config/oauth2/start", {
      id: "cfg",
      apiBaseUrl: emu.apiUrl,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      redirectUri,
    });
    should(start.status).equal(200);
    const redirect = await approveInBrowser(((await start.json()) as { authorizeUrl: string }).authorizeUrl);
    const page = await fetch(redirect);
    should(page.status).equal(200);
    (await page.text()).should.match(/Authorized as Demo User/);

    await nr.deploy(oauth2FileFlow(emu, outFile, { id: "tab", type: "tab", label: "box" }));
    const written = () => (fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "");
    const before = await trickle(emu, 8, 2, 700); // several 2-second lifetimes: several rotations
    await waitFor(() => before.every((id) => written().includes(id)), "events before the restart").catch((err) => {
      throw new Error(`${err.message}\n${nr!.output.slice(-3000)}`);
    });
    const refreshes = emu.requests.filter((r) => r.path === "/oauth2/token").length;
    refreshes.should.be.aboveOrEqual(3, "the refresh token was rotated several times");

    const tokenRequestsBeforeRestart = emu.tokenRequestStats().total;
    await nr.restart(); // no deploy: Node-RED's flows_cred.json still holds only what was deployed
    await sleep(2100); // whatever access token the store had is now expired
    const after = emu.createEvents(3).map((event) => event.event_id);
    await waitFor(() => after.every((id) => written().includes(id)), "events after the restart", 60_000);
    nr.output.should.not.match(/refresh token revoked|not authorized/);
    emu
      .tokenRequestStats()
      .total.should.be.above(tokenRequestsBeforeRestart, "refreshed with the token persisted before the restart");

    const files = filesUnder(nr.userDir);
    files.map((f) => path.basename(f)).should.containEql(".box-tokens.json");
    JSON.parse(fs.readFileSync(path.join(nr.userDir, ".box-tokens.json"), "utf8")).should.containEql({
      format: "node-red-box-tokens",
      key: "credentialSecret",
    });
    const issued = emu.issuedTokens();
    issued.length.should.be.aboveOrEqual(8);
    for (const file of files) {
      const text = fs.readFileSync(file, "latin1");
      for (const token of issued)
        if (text.includes(token)) throw new Error(`${file} holds an issued token in clear text`);
    }
  });
});
