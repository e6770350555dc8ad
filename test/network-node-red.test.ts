import fs from "fs";
import path from "path";
import should from "should";
import { BoxEmulator, startEmulator } from "../emulator";
import { ForwardProxy } from "./support/forward-proxy";
import { deliveredIds, networkFlow, statusTexts } from "./support/network-flow";
import { NodeRedProcess } from "./support/node-red-process";
import { tempDir } from "./support/temp-dir";
import { makeTestPki, TestPki } from "./support/test-pki";
import { delay, waitFor } from "./support/wait";

const SECRET_ENV = { BOX_TEST_CLIENT_ID: "demo-client-id", BOX_TEST_CLIENT_SECRET: "demo-client-secret" };
const PROXY_USER = { username: "factory-7", password: "pr0xy-pa55" };

/**
 * The whole path as a company network has it: Node-RED with the company CA in NODE_EXTRA_CA_CERTS and a proxy in
 * the environment, Box (the emulator) on https behind it. One Node-RED process; each test deploys its own flow.
 */
describe("behind a proxy, with a company CA, configured from the environment (real Node-RED)", function () {
  this.timeout(180_000);
  let pki: TestPki;
  let emulator: BoxEmulator;
  let bypassed: BoxEmulator;
  let proxy: ForwardProxy;
  let authProxy: ForwardProxy;
  let nodeRed: NodeRedProcess;
  let dir: string;

  before(async () => {
    pki = makeTestPki();
    emulator = await startEmulator({ tls: pki.server });
    bypassed = await startEmulator({ tls: pki.server });
    proxy = await ForwardProxy.start();
    authProxy = await ForwardProxy.start({ auth: PROXY_USER });
    const port = (url: string) => new URL(url).port;
    nodeRed = await NodeRedProcess.start({
      env: {
        ...SECRET_ENV,
        NODE_EXTRA_CA_CERTS: pki.caFile,
        // both spellings, so the run also shows which one wins: lower case, as for Node-RED's core nodes
        http_proxy: proxy.url,
        HTTP_PROXY: "",
        https_proxy: "",
        HTTPS_PROXY: proxy.url,
        no_proxy: "",
        NO_PROXY: `example.invalid,127.0.0.1:${port(bypassed.apiUrl)},127.0.0.1:${port(bypassed.realtimeUrl)}`,
      },
    });
  });
  after(async () => {
    await nodeRed?.stop();
    await Promise.all([emulator?.close(), bypassed?.close(), proxy?.close(), authProxy?.close()]);
  });
  beforeEach(() => {
    dir = tempDir("box-net-");
    for (const target of [emulator, bypassed]) target.clearRequests();
  });

  const ccg = (apiBaseUrl: string) => ({
    config: { authType: "ccg", apiBaseUrl, subjectType: "enterprise", subjectId: "100001" },
    credentials: { clientId: "${BOX_TEST_CLIENT_ID}", clientSecret: "${BOX_TEST_CLIENT_SECRET}" },
  });
  /** Deploys, waits for the long poll, creates events and waits for every one of them in the flow's file. */
  const eventsFlow = async (target: BoxEmulator, flow: object[]) => {
    await nodeRed.deploy(flow);
    await waitFor(() => statusTexts(dir).includes("polling"), "the events node polling", 60_000);
    const created = target.createEvents(4).map((event) => event.event_id);
    await waitFor(() => deliveredIds(dir).length >= created.length, "the events in the flow's file", 60_000);
    should(deliveredIds(dir)).eql(created);
  };
  const throughProxy = (target: BoxEmulator, via: ForwardProxy) => {
    const kinds = new Set(target.requests.map((r) => `${r.server} ${r.method} ${r.path.split("?")[0]}`));
    should([...kinds]).containDeep(["api POST /oauth2/token", "api GET /2.0/events", "realtime GET /subscribe"]);
    for (const request of target.requests) should(via.upstreamPorts.has(request.remotePort ?? -1)).be.true();
  };
  const statusShows = (text: string) =>
    waitFor(() => statusTexts(dir).find((status) => status.includes(text)), `status "${text}"`, 60_000);

  it("events flow through the proxy from the environment, with ${NAME} credentials; the proxy never reads a token", async () => {
    const forwardedBefore = proxy.forwarded.length;
    await eventsFlow(emulator, networkFlow({ ...ccg(emulator.apiUrl), dir }));

    throughProxy(emulator, proxy);
    const seen = proxy.forwarded.slice(forwardedBefore);
    const apiAuthority = new URL(emulator.apiUrl).host;
    should(seen.filter((r) => r.kind === "connect").map((r) => r.target)).containEql(apiAuthority);
    should(seen.some((r) => r.kind === "http" && r.target.startsWith(emulator.realtimeUrl))).be.true();
    // https went through CONNECT tunnels: what the proxy could read holds no token and no secret
    const readable = JSON.stringify(seen);
    for (const secret of [...emulator.issuedTokens(), SECRET_ENV.BOX_TEST_CLIENT_SECRET])
      should(readable.includes(secret)).be.false();
    should(nodeRed.output.includes(SECRET_ENV.BOX_TEST_CLIENT_SECRET)).be.false();
  });

  it("events flow through an http proxy node with basic auth; its credentials reach the proxy only", async () => {
    const [plainBefore, authBefore] = [proxy.forwarded.length, authProxy.forwarded.length];
    await eventsFlow(
      emulator,
      networkFlow({ ...ccg(emulator.apiUrl), dir, proxyNode: { url: authProxy.url, ...PROXY_USER } }),
    );

    throughProxy(emulator, authProxy);
    should(proxy.forwarded.length).equal(plainBefore);
    const seen = authProxy.forwarded.slice(authBefore);
    should(seen.length).be.above(0);
    for (const request of seen) should(request.headers["proxy-authorization"]).startWith("Basic ");
    should(emulator.requests.some((request) => request.proxyAuthorization)).be.false();

    // the nodes gone, so are their connections: every dispatcher was destroyed with its node (a leaked idle
    // connection would linger until the emulator's own 5 s keep-alive timeout, hence the short wait)
    await nodeRed.deploy([{ id: "tab1", type: "tab", label: "empty" }]);
    await waitFor(() => authProxy.openSockets === 0, "no connection left at the proxy", 3_000);
  });

  it("no_proxy sends a listed host:port straight to Box", async () => {
    const forwardedBefore = proxy.forwarded.length;
    await eventsFlow(bypassed, networkFlow({ ...ccg(bypassed.apiUrl), dir }));

    should(proxy.forwarded.length).equal(forwardedBefore);
    should(bypassed.requests.length).be.above(0);
    for (const request of bypassed.requests) should(proxy.upstreamPorts.has(request.remotePort ?? -1)).be.false();
  });

  it("a proxy that answers 407 turns the node red with `proxy refused: 407`, without a storm of retries", async () => {
    const wrong = { url: authProxy.url, username: PROXY_USER.username, password: "wrong" };
    const connectionsBefore = authProxy.connections;
    await nodeRed.deploy(networkFlow({ ...ccg(emulator.apiUrl), dir, proxyNode: wrong }));
    await statusShows("proxy refused: 407");

    const connections = authProxy.connections;
    await delay(2000); // the quiet period is what is measured: wrong proxy credentials are retried slowly
    should(authProxy.connections - connections).be.below(2);
    should(connections - connectionsBefore).be.below(5);
    should(emulator.requests).be.empty();
  });

  it("a proxy that refuses (502) or hangs up: the status says so, and events flow once it lets traffic through", async () => {
    proxy.mode = { refuse: 502 };
    await nodeRed.deploy(networkFlow({ ...ccg(emulator.apiUrl), dir }));
    await statusShows("proxy refused: 502");
    proxy.mode = "reset";
    await statusShows("proxy refused: connection reset");
    proxy.mode = "forward";
    await waitFor(() => statusTexts(dir).at(-1) === "polling", "polling again after the proxy recovered", 90_000);
    const created = emulator.createEvents(2).map((event) => event.event_id);
    await waitFor(() => deliveredIds(dir).length >= created.length, "the events after recovery", 60_000);
    should(deliveredIds(dir)).eql(created);
  });

  it("a certificate from an unknown CA, or an expired one, turns the node red and names the problem", async () => {
    for (const [tls, text] of [
      [pki.unknownCa, "certificate not trusted"],
      [pki.expired, "certificate expired"],
    ] as const) {
      const box = await startEmulator({ tls });
      try {
        dir = tempDir("box-net-");
        await nodeRed.deploy(networkFlow({ ...ccg(box.apiUrl), dir }));
        await statusShows(text);
        should(box.requests).be.empty();
      } finally {
        await box.close();
      }
    }
  });

  it("jwtConfigPath reads the JWT app config from a file on the host", async () => {
    const app = await emulator.createJwtApp();
    const file = path.join(dir, "box_config.json");
    fs.writeFileSync(file, app.configJson);
    await eventsFlow(
      emulator,
      networkFlow({ config: { authType: "jwt", apiBaseUrl: emulator.apiUrl, jwtConfigPath: file }, dir }),
    );
    should(nodeRed.output.includes(app.clientSecret)).be.false();
  });

  it("a missing variable or config file turns the node red naming it, and no request is made", async () => {
    const missingFile = path.join(dir, "not-mounted", "box_config.json");
    await nodeRed.deploy(
      networkFlow({ config: { authType: "jwt", apiBaseUrl: emulator.apiUrl, jwtConfigPath: missingFile }, dir }),
    );
    await statusShows("cannot read the JWT Config file (ENOENT)");

    dir = tempDir("box-net-");
    const flow = ccg(emulator.apiUrl);
    await nodeRed.deploy(
      networkFlow({ ...flow, dir, credentials: { ...flow.credentials, clientSecret: "${BOX_TEST_NOT_SET}" } }),
    );
    await statusShows("missing environment variable BOX_TEST_NOT_SET");
    should(emulator.requests).be.empty();
  });
});
