import path from "path";
import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { fileFlow, readDelivered } from "./support/file-flow";
import { NodeRedProcess } from "./support/node-red-process";
import { waitFor } from "./support/wait";

/** The package as a user runs it: installed into a real Node-RED's user directory, events written to a file by a core node. */
describe("in a real Node-RED process", function () {
  this.timeout(120_000);
  let emulator: BoxEmulator;
  let nodeRed: NodeRedProcess | undefined;

  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await nodeRed?.stop();
    nodeRed = undefined;
    await emulator.close();
  });

  const delivered = (file: string): string[] => readDelivered(file).ids;

  it("delivers Box events to a flow, and resumes exactly once after a restart with a persistent context store", async () => {
    const token = emulator.issueToken();
    nodeRed = await NodeRedProcess.start({
      settings: { contextStorage: { default: { module: "localfilesystem", config: { flushInterval: 1 } } } },
    });
    const outFile = path.join(nodeRed.userDir, "events.jsonl");
    await nodeRed.deploy(fileFlow({ emulator, outFile, token }));
    await waitFor(() => emulator.heldPolls() > 0, "a long poll from Node-RED", 30_000);

    const first = emulator.createEvents(5).map((e) => e.event_id);
    await waitFor(() => delivered(outFile).length >= 5, "events in the flow's file", 30_000);

    await nodeRed.stop();
    const whileDown = emulator.createEvents(7).map((e) => e.event_id);
    await nodeRed.restart();
    await waitFor(() => delivered(outFile).length >= 12, "events created while Node-RED was down", 30_000);
    const after = emulator.createEvents(3).map((e) => e.event_id);
    await waitFor(() => delivered(outFile).length >= 15, "events after the restart", 30_000);

    should(delivered(outFile)).eql([...first, ...whileDown, ...after]);
    should(nodeRed.output.includes(token)).be.false();
    should(nodeRed.output).not.match(/Unhandled|TypeError|ReferenceError/);
  });

  it("delivers admin_logs_streaming events, and after a restart only the ones it had not sent, each once", async () => {
    const token = emulator.issueToken({ admin: true });
    nodeRed = await NodeRedProcess.start({
      settings: { contextStorage: { default: { module: "localfilesystem", config: { flushInterval: 1 } } } },
    });
    const outFile = path.join(nodeRed.userDir, "enterprise-events.jsonl");
    const events = { streamType: "admin_logs_streaming", startFrom: "beginning", pollInterval: 5 };
    const sorted = (ids: string[]) => [...ids].sort();

    const backlog = emulator.createEnterpriseEvents(6, { event_type: "FAILED_LOGIN" }).map((e) => e.event_id);
    await nodeRed.deploy(fileFlow({ emulator, outFile, token, events }));
    await waitFor(() => delivered(outFile).length >= 6, "the backlog in the flow's file", 30_000);
    const live = emulator.createEnterpriseEvents(2, { event_type: "SHARE" }).map((e) => e.event_id);
    await waitFor(() => delivered(outFile).length >= 8, "events from the next poll", 30_000);

    await nodeRed.stop();
    const whileDown = emulator.createEnterpriseEvents(5).map((e) => e.event_id);
    await nodeRed.restart();
    await waitFor(() => delivered(outFile).length >= 13, "events created while Node-RED was down", 30_000);

    // the streaming type repeats the tail of the page before: the saved ids keep those out
    should(sorted(delivered(outFile))).eql(sorted([...backlog, ...live, ...whileDown]));
    should(emulator.requests.filter((r) => r.method === "OPTIONS" || r.server === "realtime")).have.length(0);
    should(nodeRed.output.includes(token)).be.false();
    should(nodeRed.output).not.match(/Unhandled|TypeError|ReferenceError/);
  });
});
