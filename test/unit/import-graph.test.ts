import fs from "fs";
import path from "path";
import should from "should";

const ROOT = path.resolve(__dirname, "../../..");

/** Every `.ts` file below `dir` (repo-relative), with the repo-relative files its relative imports name. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith(".ts")) graph.set(file, importsOf(file));
    }
  };
  walk(dir);
  return graph;
}

function importsOf(file: string): string[] {
  const source = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...source.matchAll(/(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specs.map((spec) => {
    const base = path.join(path.dirname(file), spec);
    const found = [base, `${base}.ts`, path.join(base, "index.ts")].find(
      (candidate) => fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile(),
    );
    if (!found) throw new Error(`${file}: cannot resolve ${spec}`);
    return found;
  });
}

/** One import circle, as the files along it, or undefined. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === "done") return undefined;
    if (state.get(file) === "open") return [...trail.slice(trail.indexOf(file)), file];
    state.set(file, "open");
    trail.push(file);
    for (const next of graph.get(file) ?? []) {
      const circle = graph.has(next) ? visit(next) : undefined;
      if (circle) return circle;
    }
    trail.pop();
    state.set(file, "done");
    return undefined;
  };
  for (const file of graph.keys()) {
    const circle = visit(file);
    if (circle) return circle;
  }
  return undefined;
}

describe("import graph (unit)", function () {
  const nodes = importGraph("nodes");

  it("has no import circle under nodes/", function () {
    (findCircle(nodes) ?? []).should.eql([]);
  });

  it("has no import circle under emulator/: the parts never import the context built from them", function () {
    const emulator = importGraph("emulator");
    emulator.size.should.be.above(10);
    (findCircle(emulator) ?? []).should.eql([]);
    for (const [file, imports] of emulator) {
      if (file !== "emulator/index.ts") should(imports).not.containEql("emulator/context.ts");
    }
  });

  it("keeps the protocol core free of Node-RED glue and the emulator", function () {
    const core = [...nodes].filter(([file]) => file.startsWith("nodes/box/"));
    core.length.should.be.above(20);
    for (const [file, imports] of core) {
      const outside = imports.filter((target) => !target.startsWith("nodes/box/") && !target.endsWith(".json"));
      outside.should.eql([], `${file} imports outside the core`);
      fs.readFileSync(path.join(ROOT, file), "utf8").should.not.match(/from "node-red"|require\("node-red"\)/);
    }
  });

  it("never imports the emulator, tests or benchmarks from runtime code", function () {
    for (const [file, imports] of nodes) {
      imports.filter((target) => !target.startsWith("nodes/")).should.eql([], `${file} imports outside nodes/`);
    }
  });
});
