import { createHash } from "crypto";
import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { boxApiNode, boxConfigNode, catchNode, helper } from "./support/node-helper";
import { waitFor } from "./support/wait";

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const SIZE = 120 * 1024 * 1024;

/** 120 MB that are the same on every run and not one repeated block (a wrong part order changes the SHA-1). */
function deterministicBytes(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let x = 0x9e3779b9;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes.writeInt32LE(x | 0, i);
  }
  return bytes;
}

describe("box-api chunked upload", function () {
  let emulator: BoxEmulator;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.close();
  });

  it("uploads 120 MB through an upload session: parts of Box's size with SHA-1 digests, commit after a 202", async function () {
    this.timeout(180_000);
    const folder = emulator.items.createFolder("Videos").folder.id as string;
    const flow = [
      { id: "tab", type: "tab", label: "test" },
      { id: "cfg", type: "box-config", authType: "developerToken", apiBaseUrl: emulator.apiUrl },
      {
        id: "api",
        type: "box-api",
        z: "tab",
        box: "cfg",
        version: 2,
        operation: "file.upload",
        parentId: folder,
        parentIdType: "str",
        wires: [["out"]],
      },
      { id: "out", type: "helper", z: "tab" },
      { id: "catcher", type: "catch", z: "tab", scope: ["api"], uncaught: false, wires: [["caught"]] },
      { id: "caught", type: "helper", z: "tab" },
    ];
    await helper.load([boxConfigNode, boxApiNode, catchNode], flow, { cfg: { accessToken: emulator.issueToken() } });
    const out: Msg[] = [];
    const caught: Msg[] = [];
    helper.getNode("out").on("input", (msg: Msg) => out.push(msg));
    helper.getNode("caught").on("input", (msg: Msg) => caught.push(msg));
    const bytes = deterministicBytes(SIZE);
    const sha1 = createHash("sha1").update(bytes).digest("hex");
    helper.getNode("api").receive({ payload: bytes, filename: "talk.mp4" });
    await waitFor(() => out.length + caught.length > 0, "the upload's answer", 170_000);
    should(caught).have.length(0);
    const file = out[0].payload;
    should(file).match({ type: "file", name: "talk.mp4", size: SIZE, sha1, parent: { id: folder } });
    should((emulator.items.tree.get({ type: "file", id: file.id }) as Msg).sha1).equal(sha1);
    const api = emulator.requests.filter((r) => r.server === "api");
    const parts = api.filter((r) => r.method === "PUT" && r.path.includes("/upload_sessions/"));
    should(parts).have.length(Math.ceil(SIZE / (8 * 1024 * 1024)));
    should(api.filter((r) => r.path.endsWith("/commit"))).have.length(2); // 202 with retry-after, then 201
    should(api.filter((r) => r.path === "/api/2.0/files/content")).have.length(0);
  });
});
