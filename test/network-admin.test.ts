import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { approveInBrowser } from "./support/auth";
import { ForwardProxy } from "./support/forward-proxy";
import { helper, NODES } from "./support/node-helper";
import { resolveFromNodeRed } from "./support/node-red-version";
import { tempDir } from "./support/temp-dir";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpProxyNode = require(resolveFromNodeRed("@node-red/nodes/core/network/06-httpproxy.js"));
const PROXY_USER = { username: "admin-test", password: "pr0xy" };
const SECRET_VARIABLE = "BOX_TEST_ADMIN_CLIENT_SECRET";

/** The dialog's Test connection takes the same way to Box as the deployed node, and guards the host's secrets. */
describe("Test connection through a proxy, with secrets from the environment (test helper)", function () {
  this.timeout(60_000);
  let emu: BoxEmulator;
  let elsewhere: BoxEmulator;
  let proxy: ForwardProxy;

  beforeEach(async () => {
    emu = await startEmulator();
    elsewhere = await startEmulator();
    proxy = await ForwardProxy.start({ auth: PROXY_USER });
    process.env[SECRET_VARIABLE] = emu.clientSecret;
    helper.settings({ userDir: tempDir("box-admin-") });
    const flow = [
      { id: "tab", type: "tab", label: "admin" },
      { id: "proxy1", type: "http proxy", name: "company proxy", url: proxy.url, noproxy: [] },
      { id: "wrongProxy", type: "http proxy", name: "wrong password", url: proxy.url, noproxy: [] },
      { id: "cfg", type: "box-config", authType: "ccg", apiBaseUrl: emu.apiUrl, subjectId: "100001", proxy: "proxy1" },
    ];
    await helper.load([...NODES, httpProxyNode], flow, {
      proxy1: PROXY_USER,
      wrongProxy: { ...PROXY_USER, password: "wrong" },
      cfg: { clientId: emu.clientId, clientSecret: `\${${SECRET_VARIABLE}}` },
    });
  });
  afterEach(async () => {
    delete process.env[SECRET_VARIABLE];
    await helper.unload();
    await Promise.all([emu.close(), elsewhere.close(), proxy.close()]);
  });

  const test = (body: Record<string, unknown>) =>
    helper
      .request()
      .post("/box-config/test")
      .send({
        id: "cfg",
        authType: "ccg",
        apiBaseUrl: emu.apiUrl,
        subjectType: "enterprise",
        subjectId: "100001",
        proxy: "proxy1",
        credentials: { clientId: emu.clientId, clientSecret: "__PWRD__" },
        ...body,
      })
      .expect(200);

  it("goes through the chosen http proxy node, with ${NAME} resolved for the deployed node's own API", async () => {
    const res = await test({});
    should(res.body).containEql({ ok: true });
    should(emu.requests.map((r) => r.path)).eql(["/oauth2/token", "/2.0/users/me"]);
    for (const request of emu.requests) should(proxy.upstreamPorts.has(request.remotePort ?? -1)).be.true();
    should(proxy.forwarded.every((r) => r.headers["proxy-authorization"])).be.true();

    const typed = await test({ credentials: { clientId: emu.clientId, clientSecret: `\${${SECRET_VARIABLE}}` } });
    should(typed.body).containEql({ ok: true });
  });

  it("a proxy that refuses says so; without a proxy node the request goes straight to Box", async () => {
    should((await test({ proxy: "wrongProxy" })).body).eql({ ok: false, reason: "proxy refused: 407" });
    should(emu.requests).be.empty();

    const forwarded = proxy.forwarded.length;
    should((await test({ proxy: "" })).body).containEql({ ok: true });
    should(proxy.forwarded.length).equal(forwarded);
    should((await test({ proxy: "gone" })).body).eql({ ok: false, reason: "missing http proxy config" });
  });

  it("OAuth 2: the code is exchanged through the proxy chosen in the dialog (the browser goes to Box directly)", async () => {
    const start = await helper
      .request()
      .post("/box-config/oauth2/start")
      .send({
        id: "cfg",
        apiBaseUrl: emu.apiUrl,
        proxy: "proxy1",
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        redirectUri: "http://127.0.0.1:1880/box-config/oauth2/callback",
      })
      .expect(200);
    const redirect = await approveInBrowser(start.body.authorizeUrl);
    const browserRequests = emu.requests.length;
    const page = await helper.request().get(`/box-config/oauth2/callback${redirect.search}`).expect(200);
    should(page.text).match(/Authorized as/);
    const runtime = emu.requests.slice(browserRequests);
    should(runtime.map((r) => r.path)).containEql("/oauth2/token");
    for (const request of runtime) should(proxy.upstreamPorts.has(request.remotePort ?? -1)).be.true();
  });

  it("never sends the host's environment or files to another API URL", async () => {
    const typed = { clientId: elsewhere.clientId, clientSecret: `\${${SECRET_VARIABLE}}` };
    const res = await test({ apiBaseUrl: elsewhere.apiUrl, credentials: typed });
    should(res.body).eql({
      ok: false,
      reason: "environment variables and files are used only with Box or the deployed API URL",
    });
    const file = await test({ apiBaseUrl: elsewhere.apiUrl, authType: "jwt", jwtConfigPath: "/etc/hostname" });
    should(file.body.ok).be.false();
    should(elsewhere.requests).be.empty();
  });
});
