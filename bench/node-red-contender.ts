import type { BoxEmulator } from "../emulator";
import type { Contender, OnEvent } from "./measure";
import { ACK_ID, BenchFlow, benchFlow, NodeRedRuntime, SINK_ID } from "./node-red-runtime";
import { RedisChild } from "./redis-child";

/** Node-RED starts once per process: the `node` and `folder` contenders share it, each with its own flow. */
let shared: { runtime: Promise<NodeRedRuntime>; flows: BenchFlow; users: number } | undefined;

/** `box-events-in` inside a real Node-RED runtime, measured where the wired sink node receives each message. */
export class NodeRedContender implements Contender {
  private runtime?: NodeRedRuntime;
  private badMessages = 0;
  private redis?: RedisChild;

  /**
   * With `folderId`, the node is limited to that folder (the `folder` row: "0" holds every emulator event). With
   * `coordinated`, its box-config has a Redis URL (a redis-server of its own): the lease, and a Redis commit per page.
   * With `ack` (its `maxInFlight`), it runs `ack: "flow"` with a box-events-ack node right after it (the `ack` rows).
   */
  constructor(
    readonly name = "node",
    private readonly folderId?: string,
    private readonly coordinated = false,
    private readonly ack?: number,
  ) {}

  async start(emulator: BoxEmulator, onEvent: OnEvent): Promise<void> {
    if (this.coordinated) this.redis = await RedisChild.start();
    shared ??= { runtime: NodeRedRuntime.start(), flows: { flow: [], credentials: {} }, users: 0 };
    shared.users++;
    this.runtime = await shared.runtime;
    const prefix = `${this.name}-`;
    const mine = benchFlow({
      apiUrl: emulator.apiUrl,
      token: emulator.issueToken(),
      count: 1,
      sink: true,
      folderId: this.folderId,
      idPrefix: prefix,
      redisUrl: this.redis?.url,
      ack: this.ack,
    });
    shared.flows = {
      flow: [...shared.flows.flow, ...mine.flow],
      credentials: { ...shared.flows.credentials, ...mine.credentials },
    };
    // "nodes": a contender already listening keeps its running node
    await this.runtime.deploy(shared.flows, "nodes");
    const sink = this.runtime.getNode(prefix + SINK_ID);
    if (!sink) throw new Error("the sink node did not start");
    // ack: the message goes on to the ack node as from a Complete node (the same object, no clone of a second wire)
    const ack = this.ack ? this.runtime.getNode(prefix + ACK_ID) : null;
    if (this.ack && !ack) throw new Error("the ack node did not start");
    sink.on("input", (msg, _send, done) => {
      const id = (msg.payload as { event_id?: unknown } | undefined)?.event_id;
      if (typeof id === "string") onEvent(id);
      else this.badMessages++;
      done();
      ack?.receive(msg);
    });
  }

  async stop(): Promise<void> {
    try {
      await this.stopNode();
    } finally {
      this.redis?.stop();
    }
  }

  private async stopNode(): Promise<void> {
    if (!shared || !this.runtime) return;
    if (--shared.users === 0) {
      shared = undefined;
      await this.runtime.stop();
      return;
    }
    // the others go on: this contender's node stops before its emulator does
    const prefix = `${this.name}-`;
    const isMine = (node: object) => String((node as { id?: unknown }).id).startsWith(prefix);
    shared.flows = { ...shared.flows, flow: shared.flows.flow.filter((node) => !isMine(node)) };
    await this.runtime.deploy(shared.flows, "nodes");
  }

  notes(): string[] {
    const notes = this.runtime ? this.runtime.log.slice(0, 5).map((line) => `node-red: ${line}`) : [];
    if (this.badMessages) notes.push(`${this.name}: ${this.badMessages} messages without payload.event_id`);
    return notes;
  }
}
