import { startEmulator, type BoxEmulator } from "../../emulator";
import { NodeRedProcess, type NodeRedProcessOptions } from "./node-red-process";

/**
 * For a describe block whose tests each start an emulator and a real Node-RED process: what a test started
 * through the returned functions is stopped after it, the Node-RED process first.
 */
export function processesPerTest() {
  let emu: BoxEmulator | undefined;
  let nr: NodeRedProcess | undefined;
  afterEach(async () => {
    await nr?.stop();
    await emu?.close();
    nr = emu = undefined;
  });
  return {
    emulator: async (...options: Parameters<typeof startEmulator>) => (emu = await startEmulator(...options)),
    nodeRed: async (options: NodeRedProcessOptions) => (nr = await NodeRedProcess.start(options)),
  };
}
