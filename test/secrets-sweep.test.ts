import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";
import should from "should";
import type { BoxEmulator } from "../emulator";
import { fileNode } from "./support/file-flow";
import type { FlowNode } from "./support/node-helper";
import type { NodeRedProcess } from "./support/node-red-process";
import { statusesIn, statusWatcher } from "./support/status-flow";
import { processesPerTest } from "./support/processes-per-test";
import { tempDir } from "./support/temp-dir";
import { waitFor } from "./support/wait";

/** Every value below holds this marker; none of them may show up anywhere a person or a flow can read. */
const MARKER = "SWEEPVALUE";
const JWT_JSON = JSON.stringify({
  boxAppSettings: {
    clientID: `${MARKER}-client-id`,
    clientSecret: `${MARKER}-client-secret`,
    appAuth: { publicKeyID: "k1", privateKey: `-----BEGIN ${MARKER} KEY-----`, passphrase: `${MARKER}-pass` },
  },
  enterpriseID: "100001",
});
const ENV = {
  SWEEP_API_KEY: `sk-live-${MARKER}-1`,
  SWEEP_JWT_JSON: JWT_JSON,
  SWEEP_AUTH: `${MARKER}auth`,
  SWEEP_CLIENT_ID: `${MARKER}-cid`,
  SWEEP_CLIENT_SECRET: `${MARKER}-csecret`,
  SWEEP_SUBJECT: `${MARKER}-subject`,
  SWEEP_TOKEN: `${MARKER}-token`,
  SWEEP_URL: `https://${MARKER.toLowerCase()}.invalid`,
};

const TAB: FlowNode = { id: "tab", type: "tab", label: "sweep" };

/** Config nodes that reference the variables in every property and credential a user may write `${NAME}` in. */
function configs(emu: BoxEmulator): Record<string, Record<string, unknown>> {
  return {
    pathIsKey: { authType: "jwt", apiBaseUrl: emu.apiUrl, jwtConfigPath: "${SWEEP_API_KEY}" },
    pathIsJson: { authType: "jwt", apiBaseUrl: emu.apiUrl, jwtConfigPath: "${SWEEP_JWT_JSON}" },
    jwtJson: { authType: "jwt", apiBaseUrl: emu.apiUrl, credentials: { jwtConfig: "${SWEEP_JWT_JSON}" } },
    authType: { authType: "${SWEEP_AUTH}", apiBaseUrl: emu.apiUrl },
    ccg: {
      authType: "ccg",
      apiBaseUrl: emu.apiUrl,
      subjectType: "enterprise",
      subjectId: "${SWEEP_SUBJECT}",
      credentials: { clientId: "${SWEEP_CLIENT_ID}", clientSecret: "${SWEEP_CLIENT_SECRET}" },
    },
    devToken: { authType: "developerToken", apiBaseUrl: emu.apiUrl, credentials: { accessToken: "${SWEEP_TOKEN}" } },
    url: { authType: "developerToken", apiBaseUrl: "${SWEEP_URL}", credentials: { accessToken: "${SWEEP_TOKEN}" } },
  };
}

function sweepFlow(emu: BoxEmulator, dir: string): FlowNode[] {
  const flow: FlowNode[] = [TAB];
  const names = Object.keys(configs(emu));
  for (const [i, [name, config]] of Object.entries(configs(emu)).entries()) {
    flow.push({ id: `cfg-${name}`, type: "box-config", name, ...config });
    flow.push({
      id: `in-${name}`,
      type: "box-events-in",
      z: "tab",
      box: `cfg-${name}`,
      x: 100,
      y: 40 * i,
      wires: [[]],
    });
  }
  flow.push(
    ...statusWatcher(
      "tab",
      names.map((n) => `in-${n}`),
      path.join(dir, "statuses.jsonl"),
    ),
  );
  flow.push(
    { id: "catch", type: "catch", z: "tab", scope: null, uncaught: false, x: 100, y: 400, wires: [["catch-line"]] },
    {
      id: "catch-line",
      type: "function",
      z: "tab",
      func: "msg.payload = JSON.stringify({error: msg.error, payload: msg.payload, topic: msg.topic});\nreturn msg;",
      outputs: 1,
      x: 300,
      y: 400,
      wires: [["catch-file"]],
    },
    { ...fileNode(path.join(dir, "caught.jsonl")), id: "catch-file", z: "tab", x: 500, y: 400 },
  );
  return flow;
}

async function testConnection(nr: NodeRedProcess, body: object): Promise<string> {
  const res = await fetch(`${nr.url}/box-config/test`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.text();
}

describe("secrets: no `${NAME}` value in statuses, logs, Catch messages or the Test answer (real Node-RED)", function () {
  this.timeout(180_000);
  const running = processesPerTest();

  it("a sweep with a marker in every referenced variable finds it nowhere", async () => {
    const emu = await running.emulator();
    const dir = tempDir("box-sweep-");
    const nr = await running.nodeRed({ flows: [], env: ENV });
    await nr.deploy(sweepFlow(emu, dir));
    const names = Object.keys(configs(emu));
    const shown = () => statusesIn(path.join(dir, "statuses.jsonl")).map((s) => s.text ?? "");
    await waitFor(() => fs.existsSync(path.join(dir, "caught.jsonl")), "Catch messages");
    await waitFor(
      () => statusesIn(path.join(dir, "statuses.jsonl")).filter((s) => s.fill === "red").length >= 5,
      "the misconfigured nodes' red statuses",
      60_000,
    );
    await waitFor(() => shown().some((t) => /cannot read the JWT Config file/.test(t)), "the config file's reason");
    await waitFor(() => shown().some((t) => /unknown auth type/.test(t)), "the auth type's reason");
    await waitFor(() => shown().some((t) => /wrong client ID or secret/.test(t)), "the CCG refusal");
    await waitFor(() => shown().some((t) => /network error/.test(t)), "the unresolvable API URL");

    const answers: string[] = [];
    for (const [name, config] of Object.entries(configs(emu))) {
      const { credentials, ...props } = config as { credentials?: Record<string, string> };
      // as the dialog sends them: the references as written, then the deployed node's stored secrets
      answers.push(await testConnection(nr, { ...props, credentials: credentials ?? {} }));
      const unchanged = Object.fromEntries(Object.keys(credentials ?? {}).map((key) => [key, "__PWRD__"]));
      answers.push(await testConnection(nr, { id: `cfg-${name}`, ...props, credentials: unchanged }));
    }
    answers.length.should.equal(names.length * 2);
    for (const answer of answers) JSON.parse(answer).should.have.property("ok", false);
    answers.some((a) => /cannot read the JWT Config file/.test(a)).should.be.true();

    const places = {
      statuses: fs.readFileSync(path.join(dir, "statuses.jsonl"), "utf8"),
      catch: fs.readFileSync(path.join(dir, "caught.jsonl"), "utf8"),
      log: nr.output,
      "Test answers": answers.join("\n"),
    };
    for (const [where, text] of Object.entries(places))
      should(text.toLowerCase().includes(MARKER.toLowerCase())).equal(false, `${where} hold a resolved value`);
  });

  it("jwtConfigPath naming /proc/self/pagemap or a FIFO is refused at once, and Node-RED keeps running", async () => {
    const emu = await running.emulator();
    const dir = tempDir("box-jwt-path-");
    const fifo = path.join(dir, "box_config.json");
    execFileSync("mkfifo", [fifo]);
    const nr = await running.nodeRed({ flows: [] });
    for (const file of ["/proc/self/pagemap", fifo, "/dev/zero"]) {
      const answer = JSON.parse(
        await testConnection(nr, { authType: "jwt", apiBaseUrl: "https://api.box.com", jwtConfigPath: file }),
      );
      answer.should.eql({ ok: false, reason: "the JWT Config file is not a regular file of at most 256 KB" }, file);
    }
    const statusFile = path.join(dir, "statuses.jsonl");
    await nr.deploy([
      TAB,
      ...["/proc/self/pagemap", fifo].flatMap((file, i) => [
        { id: `cfg${i}`, type: "box-config", authType: "jwt", apiBaseUrl: emu!.apiUrl, jwtConfigPath: file },
        { id: `in${i}`, type: "box-events-in", z: "tab", box: `cfg${i}`, x: 100, y: 100 + 40 * i, wires: [[]] },
      ]),
      ...statusWatcher("tab", ["in0", "in1"], statusFile),
    ]);
    await waitFor(
      () => statusesIn(statusFile).filter((s) => /not a regular file/.test(s.text ?? "")).length >= 2,
      "both nodes red, saying the file is not one",
    );
    should(nr.running).be.true();
    should((await fetch(`${nr.url}/flows`)).status).equal(200);
  });
});
