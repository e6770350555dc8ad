import path from "path";
import should from "should";
import { fileNode } from "./support/file-flow";
import type { FlowNode } from "./support/node-helper";
import { statusesIn, statusWatcher } from "./support/status-flow";
import { processesPerTest } from "./support/processes-per-test";
import { tempDir } from "./support/temp-dir";
import { waitFor } from "./support/wait";

describe("status texts on a German runtime (real Node-RED, LANG=de_DE.UTF-8)", function () {
  this.timeout(180_000);
  const running = processesPerTest();

  it("a Status node sees the contract's English words, and Catch nodes English reasons", async () => {
    const emu = await running.emulator();
    const dir = tempDir("box-lang-");
    const nr = await running.nodeRed({ flows: [], env: { LANG: "de_DE.UTF-8" } });
    nr.output.should.match(/Server wird jetzt auf/, "the runtime speaks German");
    const statusFile = path.join(dir, "statuses.jsonl");
    const flow: FlowNode[] = [
      { id: "tab", type: "tab", label: "lang" },
      {
        id: "ok",
        type: "box-config",
        authType: "developerToken",
        apiBaseUrl: emu.apiUrl,
        credentials: { accessToken: emu.issueToken() },
      },
      { id: "half", type: "box-config", authType: "ccg", apiBaseUrl: emu.apiUrl, subjectId: "100001" },
      { id: "in-ok", type: "box-events-in", z: "tab", box: "ok", x: 100, y: 40, wires: [[]] },
      { id: "in-half", type: "box-events-in", z: "tab", box: "half", x: 100, y: 80, wires: [[]] },
      { id: "go", type: "inject", z: "tab", once: true, onceDelay: 0.5, x: 50, y: 120, wires: [["api"]] },
      { id: "api", type: "box-api", z: "tab", box: "half", method: "GET", path: "/2.0/users/me", x: 100, y: 120 },
      ...statusWatcher("tab", ["in-ok", "in-half", "api"], statusFile),
      { id: "catch", type: "catch", z: "tab", scope: null, uncaught: false, x: 100, y: 400, wires: [["line"]] },
      {
        id: "line",
        type: "function",
        z: "tab",
        func: "msg.payload = JSON.stringify({error: msg.error.message, reason: msg.payload && msg.payload.reason});\nreturn msg;",
        outputs: 1,
        x: 300,
        y: 400,
        wires: [["catch-file"]],
      },
      { ...fileNode(path.join(dir, "caught.jsonl")), id: "catch-file", z: "tab", x: 500, y: 400 },
    ];
    await nr.deploy(flow);
    const shown = (id: string) =>
      statusesIn(statusFile)
        .filter((s) => (s as { source?: { id?: string } }).source?.id === id)
        .map((s) => s.text);
    await waitFor(() => shown("in-ok").includes("polling"), "`polling` on the healthy node");
    await waitFor(() => shown("in-half").includes("missing credentials: client ID"), "the English red reason");
    // box-api shows the short reason of a failure (issue 19), in English too
    await waitFor(() => shown("api").includes("missing credentials: client ID"), "box-api's English status");
    const caught = () => statusesIn(path.join(dir, "caught.jsonl")) as unknown as { error?: string; reason?: string }[];
    await waitFor(() => caught().some((c) => c.reason === "missing credentials: client ID"), "box-events-in's Catch");
    await waitFor(
      () => caught().filter((c) => c.error?.endsWith("missing credentials: client ID")).length >= 2,
      "box-api's Catch message too, in English",
    );
    for (const text of [...shown("in-ok"), ...shown("in-half"), ...shown("api")])
      should(text).not.match(/wartet|fehlen|Zugangsdaten/, "no German status");
  });
});
