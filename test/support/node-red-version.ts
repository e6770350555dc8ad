/**
 * Which Node-RED the tests run against. `BOX_TEST_NODE_RED=/path/to/node_modules/node-red` picks another
 * install (CI uses it for Node-RED 5 under Node.js 22); without it, the dev dependency.
 *
 * Loaded with `mocha --require dist/test/support/node-red-version.js` it also makes every
 * node-red-node-test-helper `init(...)` in the suite load the selected runtime, whatever path the caller
 * passed, so no test file can silently fall back to the dev dependency.
 */
import fs from "fs";
import path from "path";

/** The directory of the selected `node-red` package (the one holding `red.js` and `package.json`). */
export function nodeRedDir(): string {
  const fromEnv = process.env.BOX_TEST_NODE_RED;
  if (fromEnv) {
    const dir = path.resolve(fromEnv);
    if (!fs.existsSync(path.join(dir, "package.json")))
      throw new Error(`BOX_TEST_NODE_RED=${fromEnv}: no node-red package there`);
    return dir;
  }
  return path.dirname(require.resolve("node-red/package.json"));
}

/** What node-red-node-test-helper's `init()` wants: the package's main module (lib/red.js). */
export function nodeRedRuntimePath(): string {
  return require.resolve(nodeRedDir());
}

/** The command-line entry point, for a real Node-RED process. */
export function nodeRedRedJs(): string {
  return path.join(nodeRedDir(), "red.js");
}

export function nodeRedVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(nodeRedDir(), "package.json"), "utf8")).version;
}

/** A module as the selected Node-RED resolves it, e.g. `@node-red/nodes/core/common/25-catch.js`. */
export function resolveFromNodeRed(id: string): string {
  return require.resolve(id, { paths: [nodeRedDir()] });
}

let patched = false;

/** Makes node-red-node-test-helper's `init()` always load the selected runtime (only when BOX_TEST_NODE_RED is set). */
export function pinTestHelper(): void {
  if (patched || !process.env.BOX_TEST_NODE_RED) return;
  patched = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const helper = require("node-red-node-test-helper");
  const init = helper.init.bind(helper);
  const runtime = nodeRedRuntimePath();
  helper.init = (_requested?: string, ...rest: unknown[]) => init(runtime, ...rest);
  init(runtime);
  process.stdout.write(`Node-RED under test: ${nodeRedVersion()} (${nodeRedDir()}), Node.js ${process.version}\n`);
}

pinTestHelper();
