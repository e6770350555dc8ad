import bcrypt from "bcryptjs";
import fs from "fs";
import path from "path";
import should from "should";
import { fileNode } from "./support/file-flow";
import type { NodeRedProcess } from "./support/node-red-process";
import { processesPerTest } from "./support/processes-per-test";
import { tempDir } from "./support/temp-dir";
import { setTimeout as sleep } from "timers/promises";
import { waitFor } from "./support/wait";

const USERS = { admin: "admin-pass-1", viewer: "viewer-pass-1" };

/** A Node-RED whose editor needs a login: `admin` may do anything, `viewer` only read. */
function adminAuth() {
  const hash = (password: string) => bcrypt.hashSync(password, 8);
  return {
    type: "credentials",
    users: [
      { username: "admin", password: hash(USERS.admin), permissions: "*" },
      { username: "viewer", password: hash(USERS.viewer), permissions: "read" },
    ],
  };
}

async function login(nr: NodeRedProcess, username: keyof typeof USERS): Promise<string> {
  const res = await fetch(`${nr.url}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: "node-red-editor",
      grant_type: "password",
      scope: username === "admin" ? "*" : "read",
      username,
      password: USERS[username],
    }).toString(),
  });
  should(res.status).equal(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe("folder picker: who may spend the account's rate limit (real Node-RED with a login)", function () {
  this.timeout(180_000);
  const running = processesPerTest();

  it("refuses a read-only user, bounds an admin's burst, and a 429 it gets holds back no flow", async () => {
    const emu = await running.emulator();
    const dir = tempDir("box-picker-");
    const nr = await running.nodeRed({ flows: [], settings: { adminAuth: adminAuth() } });
    const admin = await login(nr, "admin");
    const viewer = await login(nr, "viewer");
    const me = path.join(dir, "me.jsonl");
    const deployed = await fetch(`${nr.url}/flows`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify([
        { id: "tab", type: "tab", label: "picker" },
        {
          id: "cfg",
          type: "box-config",
          authType: "developerToken",
          apiBaseUrl: emu.apiUrl,
          credentials: { accessToken: emu.issueToken() },
        },
        { id: "go", type: "inject", z: "tab", x: 50, y: 50, wires: [["api"]] },
        { id: "api", type: "box-api", z: "tab", box: "cfg", method: "GET", path: "/2.0/users/me", wires: [["me"]] },
        { ...fileNode(me), id: "me", z: "tab", x: 300, y: 50 },
      ]),
    });
    should(deployed.ok).be.true();
    const browse = (token: string) =>
      fetch(`${nr!.url}/box-events-in/folders?config=cfg&folder=0`, { headers: { authorization: `Bearer ${token}` } });
    const folderRequests = () => emu!.requests.filter((r) => r.server === "api" && r.path.startsWith("/2.0/folders"));

    // read-only: refused before any request to Box
    const refused = await Promise.all(Array.from({ length: 20 }, () => browse(viewer)));
    for (const res of refused) should([401, 403]).containEql(res.status);
    should(folderRequests()).have.length(0);

    // an admin's script firing 200 at once: a few go to Box, the rest are told to wait
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => browse(admin)));
    // the bucket: a burst of 5, then 2 a second, however long the 200 took on a loaded machine
    const allowed = 5 + Math.ceil(((Date.now() - started) / 1000) * 2);
    const ok = answers.filter((res) => res.status === 200).length;
    should(ok).be.within(1, allowed);
    should(answers.filter((res) => res.status === 429)).have.length(200 - ok);
    should(folderRequests().length).be.belowOrEqual(2 * ok);

    // Box answers the picker 429 with a long retry-after: the flow's own box-api call still goes out at once
    emu.injectFault({ target: "items", kind: "status", status: 429, retryAfter: 600 });
    const answer = await waitFor(async () => {
      const res = await browse(admin);
      return res.status !== 429 && res;
    }, "the picker's bucket to refill");
    const limited = (await answer.json()) as { ok: boolean; reason?: string };
    should(limited).match({ ok: false, reason: "rate limited" });
    // the dialog's picker (POST) for the same config node is paused with it: told at once, nothing sent to Box
    const sent = folderRequests().length;
    const dialogBody = {
      id: "cfg",
      authType: "developerToken",
      apiBaseUrl: emu.apiUrl,
      credentials: { accessToken: "__PWRD__" },
      folder: "0",
    };
    const posted = await waitFor(async () => {
      const res = await fetch(`${nr!.url}/box-config/folders`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
        body: JSON.stringify(dialogBody),
      });
      return res.status !== 429 && res;
    }, "the same config node's bucket to refill");
    should(await posted.json()).match({ ok: false, reason: "rate limited" });
    should(folderRequests()).have.length(sent);
    const injected = await fetch(`${nr.url}/inject/go`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}` },
    });
    should(injected.ok).be.true();
    await waitFor(() => fs.existsSync(me) && fs.readFileSync(me, "utf8").includes("login"), "box-api's answer", 30_000);
  });
  it("bounds a burst of dialog POSTs (config node not deployed) per config node the same way", async () => {
    const emu = await running.emulator();
    const nr = await running.nodeRed({ flows: [], settings: { adminAuth: adminAuth() } });
    const admin = await login(nr, "admin");
    const typed = emu.issueToken();
    const post = (extra: Record<string, unknown>) =>
      fetch(`${nr!.url}/box-config/folders`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          authType: "developerToken",
          apiBaseUrl: emu!.apiUrl,
          credentials: { accessToken: typed },
          folder: "0",
          ...extra,
        }),
      });
    const folderRequests = () => emu!.requests.filter((r) => r.server === "api" && r.path.startsWith("/2.0/folders"));

    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 60 }, () => post({ id: "new-cfg" })));
    const allowed = 5 + Math.ceil(((Date.now() - started) / 1000) * 2);
    const ok = answers.filter((res) => res.status === 200).length;
    should(ok).be.within(1, allowed);
    const busy = answers.filter((res) => res.status === 429);
    should(busy).have.length(60 - ok);
    should(await busy[0].json()).eql({ ok: false, reason: "busy" });
    // one browse is two requests (the folder, then its items)
    should(folderRequests().length).be.belowOrEqual(2 * ok);

    // another config node's dialog has its own budget
    should(await (await post({ id: "other-cfg" })).json()).match({ ok: true, folder: { id: "0" } });
    // no id: a budget for where and as whom the dialog browses
    const anonymous = await Promise.all(Array.from({ length: 30 }, () => post({})));
    should(anonymous.filter((res) => res.status === 429).length).be.above(0);

    // after a pause the bucket has refilled (2 a second): the dialog browses again
    await sleep(1500);
    const later = await post({ id: "new-cfg" });
    should(later.status).equal(200);
    should(await later.json()).match({ ok: true, folder: { id: "0" } });
  });
});
