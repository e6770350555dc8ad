import type { BoxEmulator } from "../emulator";
import type { Contender, OnEvent } from "./measure";
import { benchFlow, NodeRedRuntime, SINK_ID } from "./node-red-runtime";

/** `box-events-in` inside a real Node-RED runtime, measured where the wired sink node receives each message. */
export class NodeRedContender implements Contender {
  readonly name = "node";
  private runtime?: NodeRedRuntime;
  private badMessages = 0;

  async start(emulator: BoxEmulator, onEvent: OnEvent): Promise<void> {
    this.runtime = await NodeRedRuntime.start();
    await this.runtime.deploy(
      benchFlow({ apiUrl: emulator.apiUrl, token: emulator.issueToken(), count: 1, sink: true }),
    );
    const sink = this.runtime.getNode(SINK_ID);
    if (!sink) throw new Error("the sink node did not start");
    sink.on("input", (msg: { payload?: { event_id?: unknown } }, _send: unknown, done: () => void) => {
      const id = msg.payload?.event_id;
      if (typeof id === "string") onEvent(id);
      else this.badMessages++;
      done();
    });
  }

  async stop(): Promise<void> {
    await this.runtime?.stop();
  }

  notes(): string[] {
    const notes = this.runtime ? this.runtime.log.slice(0, 5).map((line) => `node-red: ${line}`) : [];
    if (this.badMessages) notes.push(`node: ${this.badMessages} messages without payload.event_id`);
    return notes;
  }
}
