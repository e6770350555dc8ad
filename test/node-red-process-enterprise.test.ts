import path from "path";
import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { fileFlow, readDelivered } from "./support/file-flow";
import { NodeRedProcess } from "./support/node-red-process";
import { waitFor } from "./support/wait";

/** Enterprise events in Node-RED as an admin runs it: the package installed, events written to a file by a core node. */
describe("enterprise events in a real Node-RED process", function () {
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

  it("delivers admin_logs_streaming events, and after a restart only the ones it had not sent, each once", async () => {
    const token = emulator.issueToken({ admin: true });
    nodeRed = await NodeRedProcess.start({
      settings: { contextStorage: { default: { module: "localfilesystem", config: { flushInterval: 1 } } } },
    });
    const outFile = path.join(nodeRed.userDir, "enterprise-events.jsonl");
    const events = { streamType: "admin_logs_streaming", startFrom: "beginning", pollInterval: 5 };
    const sorted = (ids: string[]) => [...ids].sort();
    const delivered = () => readDelivered(outFile).ids;

    const backlog = emulator.createEnterpriseEvents(6, { event_type: "FAILED_LOGIN" }).map((e) => e.event_id);
    await nodeRed.deploy(fileFlow({ emulator, outFile, token, events }));
    await waitFor(() => delivered().length >= 6, "the backlog in the flow's file", 30_000);
    const live = emulator.createEnterpriseEvents(2, { event_type: "SHARE" }).map((e) => e.event_id);
    await waitFor(() => delivered().length >= 8, "events from the next poll", 30_000);

    await nodeRed.stop();
    const whileDown = emulator.createEnterpriseEvents(5).map((e) => e.event_id);
    await nodeRed.restart();
    await waitFor(() => delivered().length >= 13, "events created while Node-RED was down", 30_000);

    // the streaming type repeats the tail of the page before: the saved ids keep those out
    should(sorted(delivered())).eql(sorted([...backlog, ...live, ...whileDown]));
    should(emulator.requests.filter((r) => r.method === "OPTIONS" || r.server === "realtime")).have.length(0);
    should(nodeRed.output.includes(token)).be.false();
    should(nodeRed.output).not.match(/Unhandled|TypeError|ReferenceError/);
  });
});
