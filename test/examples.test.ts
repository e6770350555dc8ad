import should from "should";
import fs from "fs";
import path from "path";
import { startEmulator, type BoxEmulator } from "../emulator";
import { NodeRedProcess } from "./support/node-red-process";
import { waitFor } from "./support/wait";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLES_DIR = path.join(ROOT, "examples");
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  "node-red": { nodes: Record<string, string> };
};
const PACKAGE_TYPES = Object.keys(PKG["node-red"].nodes);

type FlowNode = Record<string, unknown> & { id: string; type: string };

const examples: Array<{ file: string; nodes: FlowNode[] }> = fs
  .readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => ({ file, nodes: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8")) as FlowNode[] }));

/** Node types a flow needs from the palette (tabs, subflows and groups are part of the flow format itself). */
function nodeTypes(nodes: FlowNode[]): string[] {
  return [
    ...new Set(
      nodes.map((n) => n.type).filter((t) => !["tab", "subflow", "group"].includes(t) && !t.startsWith("subflow:")),
    ),
  ];
}

describe("examples", function () {
  this.timeout(60_000);

  it("there are examples, each a flow with a comment and a box-config pointing at the emulator", () => {
    examples.length.should.be.aboveOrEqual(4);
    for (const { file, nodes } of examples) {
      should(nodes).be.an.Array();
      const comment = nodes.find((n) => n.type === "comment");
      should.exist(comment, `${file} has no comment node`);
      should(String(comment!.info)).match(
        /demo-client-secret/,
        `${file}: the comment should say how to enter the secret`,
      );
      const configs = nodes.filter((n) => n.type === "box-config");
      configs.should.have.length(1, `${file} should have one box-config`);
      should(configs[0]).have.properties({
        authType: "ccg",
        apiBaseUrl: "http://127.0.0.1:8080",
        subjectType: "enterprise",
        subjectId: "100001",
      });
      should(configs[0].credentials).eql({ clientId: "demo-client-id" }, `${file}: no secrets in examples`);
      const ids = nodes.map((n) => n.id);
      new Set(ids).size.should.equal(ids.length, `${file} has duplicate ids`);
      for (const n of nodes.filter((n) => n.type === "box-events-in")) should(n.box).equal(configs[0].id);
    }
  });

  it("every node type of the package is used in an example", () => {
    const used = new Set(examples.flatMap(({ nodes }) => nodeTypes(nodes)));
    for (const type of PACKAGE_TYPES) should(used.has(type)).be.true(`no example uses ${type}`);
  });

  describe("in a real Node-RED", () => {
    let emu: BoxEmulator | undefined;
    let nr: NodeRedProcess | undefined;

    before(async () => {
      // The examples' box-config points at 127.0.0.1:8080; take it when free so the flows really connect.
      emu = await startEmulator({ apiPort: 8080, realtimePort: 8081 }).catch(() => startEmulator());
      // the mail example's e-mail node comes from node-red-node-email, which users install from the palette
      nr = await NodeRedProcess.start({ modules: ["node-red-node-email"] });
    });

    after(async () => {
      await nr?.stop();
      await emu?.close();
    });

    it("the runtime knows every node type the examples use", async () => {
      const res = await fetch(`${nr!.url}/nodes`, { headers: { accept: "application/json" } });
      res.ok.should.be.true();
      const sets = (await res.json()) as Array<{ types: string[]; enabled: boolean }>;
      const known = new Set(sets.filter((s) => s.enabled).flatMap((s) => s.types));
      for (const { file, nodes } of examples) {
        for (const type of nodeTypes(nodes)) should(known.has(type)).be.true(`${file}: unknown node type ${type}`);
      }
    });

    it("lists the examples under Import > Examples", async () => {
      const res = await fetch(`${nr!.url}/library/examples/flows/${PKG.name}`, {
        headers: { accept: "application/json" },
      });
      res.ok.should.be.true();
      const listing = (await res.json()) as Array<{ fn?: string }>;
      should(listing.map((e) => e.fn).sort()).eql(examples.map(({ file }) => file.replace(/\.json$/, "")));
    });

    for (const { file, nodes } of examples) {
      it(`deploys ${file} and starts it with no missing types`, async () => {
        // The flow exactly as Import > Examples hands it to the editor.
        const res = await fetch(`${nr!.url}/library/examples/flows/${PKG.name}/${file.replace(/\.json$/, "")}`);
        res.ok.should.be.true();
        const imported = (await res.json()) as FlowNode[];
        imported.should.eql(nodes);
        const logStart = nr!.output.length;
        await nr!.deploy(imported, "full");
        const log = () => nr!.output.slice(logStart);
        // Node-RED says so, and keeps the flows stopped, when a node type is missing.
        await waitFor(() => /Started flows/.test(log()) || /missing types/i.test(log()), "the flows to start");
        log().should.not.match(/Waiting for missing types|Missing node modules|Unknown type/i);
        log().should.match(/Started flows/);

        const deployed = (await (await fetch(`${nr!.url}/flows`)).json()) as FlowNode[];
        deployed
          .map((n) => n.id)
          .sort()
          .should.eql(nodes.map((n) => n.id).sort());
        deployed.filter((n) => n.type === "unknown").should.have.length(0);
      });
    }
  });
});
