import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { DEMO_FOLDERS, seedDemoTree } from "../emulator/demo-tree";
import { demoFlow } from "../demo/flow";
import { NodeRedProcess } from "./support/node-red-process";
import { waitFor } from "./support/wait";

const UPLOAD_BUTTON = "b0c5d3e0a1f20199";

describe("npm start's demo flow", function () {
  this.timeout(90_000);
  let emu: BoxEmulator;
  let nr: NodeRedProcess | undefined;

  before(async () => {
    emu = await startEmulator();
    seedDemoTree(emu.items);
  });
  after(async () => {
    await nr?.stop();
    await emu?.close();
  });

  it("acts: the upload button puts a file into Invoices, and the action branch downloads it and shares it", async () => {
    const { flows, credentials } = demoFlow(emu.apiUrl, emu.clientId, emu.clientSecret);
    const withCredentials = flows.map((n) => {
      const id = (n as { id: string }).id;
      return credentials[id] ? { ...n, credentials: credentials[id] } : n;
    });
    nr = await NodeRedProcess.start();
    await nr.deploy(withCredentials);
    await waitFor(() => emu.heldPolls() >= 2, "both event nodes' long polls", 30_000);
    const res = await fetch(`${nr.url}/inject/${UPLOAD_BUTTON}`, { method: "POST" });
    should(res.status).equal(200);
    const uploaded = () =>
      emu.items.tree.childrenOf(DEMO_FOLDERS.invoices2026).find((f) => /^invoice-\d+\.pdf$/.test(f.name));
    await waitFor(() => uploaded()?.sharedLink, "the shared link on the uploaded file", 30_000);
    const file = uploaded()!;
    const downloads = emu.requests.filter((r) => r.server === "api" && r.path === `/2.0/files/${file.id}/content`);
    should(downloads).have.length(1);
    await waitFor(() => emu.requests.some((r) => r.server === "download"), "the download host's request");
    should(nr.output).not.match(/\[error\]/);
  });
});
