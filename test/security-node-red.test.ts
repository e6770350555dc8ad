import fs from "fs";
import path from "path";
import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { approveInBrowser, oauth2FileFlow, tempDir, trickle } from "./support/auth";
import { HostileBox, streamHuge } from "./support/hostile-box";
import type { FlowNode } from "./support/node-helper";
import { NodeRedProcess } from "./support/node-red-process";
import { statusesIn, statusWatcher } from "./support/status-flow";
import { delay, waitFor } from "./support/wait";

const TAB: FlowNode = { id: "tab", type: "tab", label: "security" };

function post(nr: NodeRedProcess, route: string, body: object): Promise<Response> {
  return fetch(`${nr.url}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** OAuth 2 consent through the runtime's own admin endpoints, with the client secret typed in. */
async function authorize(nr: NodeRedProcess, emu: BoxEmulator, id: string): Promise<void> {
  const start = await post(nr, "/box-config/oauth2/start", {
    id,
    apiBaseUrl: emu.apiUrl,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    redirectUri: `${nr.url}/box-config/oauth2/callback`,
  });
  should(start.status).equal(200);
  const redirect = await approveInBrowser(((await start.json()) as { authorizeUrl: string }).authorizeUrl);
  const page = await fetch(redirect);
  (await page.text()).should.match(/Authorized as Demo User/);
}

describe("security: in a real Node-RED process", function () {
  this.timeout(180_000);
  let emu: BoxEmulator | undefined;
  let nr: NodeRedProcess | undefined;
  let foreign: HostileBox | undefined;

  afterEach(async () => {
    await nr?.stop();
    await emu?.close();
    await foreign?.close();
    nr = emu = foreign = undefined;
  });

  it("Test connection with a foreign API URL sends no stored secret or token there, and leaves the live store alone", async () => {
    emu = await startEmulator();
    foreign = await HostileBox.start();
    nr = await NodeRedProcess.start({ flows: [] });
    await authorize(nr, emu, "cfg");
    const outFile = path.join(nr.userDir, "events.jsonl");
    await nr.deploy([
      ...oauth2FileFlow(emu, outFile, TAB),
      {
        id: "app",
        type: "box-config",
        authType: "ccg",
        apiBaseUrl: emu.apiUrl,
        subjectType: "enterprise",
        subjectId: "100001",
        credentials: { clientId: emu.clientId, clientSecret: emu.clientSecret },
      },
      {
        id: "dev",
        type: "box-config",
        authType: "developerToken",
        apiBaseUrl: emu.apiUrl,
        credentials: { accessToken: emu.issueToken() },
      },
    ]);
    const created = emu.createEvents(2).map((e) => e.event_id);
    await waitFor(
      () => fs.existsSync(outFile) && created.every((id) => fs.readFileSync(outFile, "utf8").includes(id)),
      "the live node's events",
    );
    const storeFile = path.join(nr.userDir, ".box-tokens.json");
    const storeBefore = fs.readFileSync(storeFile, "utf8");
    const tokenRequestsBefore = emu.tokenRequestStats().total;
    const stored = { clientId: emu.clientId, clientSecret: "__PWRD__", accessToken: "__PWRD__", jwtConfig: "" };

    const refusals: string[] = [];
    for (const [id, authType] of [
      ["cfg", "oauth2"],
      ["app", "ccg"],
      ["dev", "developerToken"],
    ]) {
      // the same request with the emulator's URL written differently is still the node's own origin
      const body = {
        id,
        authType,
        apiBaseUrl: foreign.url,
        subjectType: "enterprise",
        subjectId: "100001",
        credentials: stored,
      };
      const res = (await (await post(nr, "/box-config/test", body)).json()) as { ok: boolean; reason: string };
      res.ok.should.be.false();
      refusals.push(res.reason);
    }
    for (const reason of refusals)
      reason.should.equal(
        // the URL is not quoted: it may have come from a ${NAME} reference
        "the stored secrets are only sent to this node's own API URL (the deployed one): type them in again to test another API URL",
      );
    const start = await post(nr, "/box-config/oauth2/start", {
      id: "cfg",
      apiBaseUrl: foreign.url,
      clientId: emu.clientId,
      clientSecret: "__PWRD__",
      redirectUri: `${nr.url}/box-config/oauth2/callback`,
    });
    should(start.status).equal(400);
    const notConfig = await post(nr, "/box-config/test", {
      id: "in",
      authType: "ccg",
      apiBaseUrl: emu.apiUrl,
      credentials: stored,
    });
    ((await notConfig.json()) as { reason: string }).reason.should.equal("this id is not a Box config node");

    foreign.requests.should.eql([], "the foreign server heard nothing");
    fs.readFileSync(storeFile, "utf8").should.equal(storeBefore, "the live token store is unchanged");

    // at the node's own origin an OAuth 2 test uses the stored access token: no refresh, nothing written
    const own = await post(nr, "/box-config/test", {
      id: "cfg",
      authType: "oauth2",
      apiBaseUrl: `${emu.apiUrl}/`,
      credentials: stored,
    });
    ((await own.json()) as { ok: boolean; user: { login: string } }).should.containEql({ ok: true });
    emu.tokenRequestStats().total.should.equal(tokenRequestsBefore, "no token request: nothing refreshed or rotated");
    fs.readFileSync(storeFile, "utf8").should.equal(storeBefore);
    const more = emu.createEvents(2).map((e) => e.event_id);
    await waitFor(
      () => more.every((id) => fs.readFileSync(outFile, "utf8").includes(id)),
      "the live node still working",
    );
  });

  it("a 300 MB answer from the realtime server does not kill a Node-RED with a 256 MB heap: it shows reconnecting", async () => {
    const written: Promise<number>[] = [];
    foreign = await HostileBox.start({
      realtime: (_req, res) => void written.push(streamHuge(res, 300 * 1024 * 1024)),
    });
    nr = await NodeRedProcess.start({ flows: [], nodeArgs: ["--max-old-space-size=256"] });
    const statusFile = path.join(nr.userDir, "status.jsonl");
    await nr.deploy([
      TAB,
      {
        id: "dev",
        type: "box-config",
        authType: "developerToken",
        apiBaseUrl: foreign.url,
        credentials: { accessToken: "t" },
      },
      {
        id: "in",
        z: "tab",
        type: "box-events-in",
        box: "dev",
        streamType: "all",
        startFrom: "now",
        resume: false,
        wires: [[]],
      },
      ...statusWatcher("tab", ["in"], statusFile),
    ]);
    const alive = () => {
      if (!nr!.running) throw new Error(`Node-RED died:\n${nr!.output.slice(-2000)}`);
    };
    await waitFor(
      () => (alive(), foreign!.requestsTo("/realtime").length >= 2),
      "a second long poll after the huge answer",
      60_000,
    );
    (await written[0]).should.be.below(16 * 1024 * 1024, "cut off after a few KiB (plus socket buffers)");
    const seen = statusesIn(statusFile).map((s) => s.text ?? "");
    seen.some((text) => /^reconnecting: bad answer/.test(text)).should.be.true(JSON.stringify(seen));
    alive();
    should((await fetch(`${nr.url}/flows`)).status).equal(200);
  });

  it("a Status node sees the red status of a box events node with no config node", async () => {
    nr = await NodeRedProcess.start({ flows: [] });
    const statusFile = path.join(nr.userDir, "status.jsonl");
    await nr.deploy([
      TAB,
      { id: "in", z: "tab", type: "box-events-in", box: "", streamType: "all", startFrom: "now", wires: [[]] },
      ...statusWatcher("tab", ["in"], statusFile),
    ]);
    const status = await waitFor(() => statusesIn(statusFile)[0], "a status at the Status node");
    status.should.containEql({ fill: "red", shape: "ring", text: "missing Box config" });
  });

  it("setting credentialSecret for the first time keeps the OAuth 2 tokens (restart, deploy, restart)", async () => {
    emu = await startEmulator({ tokenLifetimeSec: 2 });
    nr = await NodeRedProcess.start({ flows: [], settings: { credentialSecret: undefined } });
    const runtimeConfig = () => JSON.parse(fs.readFileSync(path.join(nr!.userDir, ".config.runtime.json"), "utf8"));
    await authorize(nr, emu, "cfg");
    const outFile = path.join(tempDir("box-out-"), "events.jsonl");
    const flow = oauth2FileFlow(emu, outFile, TAB);
    await nr.deploy(flow);
    const written = () => (fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "");
    const arrive = async (ids: string[], what: string) =>
      waitFor(() => ids.every((id) => written().includes(id)), what, 60_000).catch((err) => {
        throw new Error(`${err.message}\n${nr!.output.slice(-3000)}`);
      });
    await arrive(await trickle(emu, 3, 1, 700), "events before credentialSecret is set");
    const storeFile = path.join(nr.userDir, ".box-tokens.json");
    JSON.parse(fs.readFileSync(storeFile, "utf8")).key.should.equal("_credentialSecret");
    should(runtimeConfig()._credentialSecret).be.a.String();

    // the events node goes for a while: after the restart nothing asks for a token before the next deploy
    await nr.deploy(flow.filter((node) => ["tab", "cfg"].includes((node as { id: string }).id)));
    await nr.stop();
    nr.updateSettings({ credentialSecret: "a-secret-set-later" });
    await nr.restart();
    await nr.deploy(flow); // Node-RED migrates its credentials and deletes its generated _credentialSecret now
    await waitFor(() => runtimeConfig()._credentialSecret === undefined, "Node-RED to retire its generated key");
    await delay(2100); // the stored access token has expired: the refresh token must be read from the store
    await arrive(
      emu.createEvents(2).map((e) => e.event_id),
      "events after credentialSecret was set and deployed",
    );

    await nr.restart();
    await delay(2100);
    await arrive(
      emu.createEvents(2).map((e) => e.event_id),
      "events after the deploy and a second restart",
    );
    JSON.parse(fs.readFileSync(storeFile, "utf8")).key.should.equal("credentialSecret");
    nr.output.should.not.match(/not authorized|refresh token revoked|no key decrypts|cannot be read/);
  });
});
