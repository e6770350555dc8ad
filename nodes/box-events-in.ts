import { BoxApi, BoxEvent, StreamType } from "./box/box-api";
import { CheckpointStore, SavedCheckpoint } from "./box/checkpoint-store";
import { BoxError } from "./box/errors";
import { Checkpoint, EventStream, StartFrom, StreamState } from "./box/event-stream";
import { BoxConfigNode, Node, NodeAPI, NodeContext, NodeStatus } from "./node-red-types";

interface BoxEventsInDef {
  name?: string;
  box?: string;
  streamType?: StreamType;
  startFrom?: "now" | "beginning" | "position";
  position?: string;
  resume?: boolean;
  eventTypes?: string[] | string;
  wires?: string[][];
}

export = function register(RED: NodeAPI): void {
  const checkpointsInProcess = new Map<string, SavedCheckpoint>();
  const t = (key: string) => RED._(`box-events-in.status.${key}`);

  function statusFor(state: StreamState, error?: BoxError): NodeStatus {
    if (state === "polling") return { fill: "green", shape: "dot", text: t("polling") };
    if (state === "failed") return { fill: "red", shape: "ring", text: error?.reason ?? t("failed") };
    const text = t(state === "connecting" ? "connecting" : "reconnecting");
    return { fill: "yellow", shape: "ring", text: error ? `${text}: ${error.reason}` : text };
  }

  function BoxEventsIn(this: Node, def: BoxEventsInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def.box ? (RED.nodes.getNode(def.box) as BoxConfigNode | null) : null;
    let api: BoxApi;
    try {
      if (!config) throw new BoxError("config", t("missingConfig"));
      api = new BoxApi({ apiBaseUrl: config.apiBaseUrl, tokens: config.tokenSource() });
    } catch (err) {
      const reason = err instanceof BoxError ? err.reason : String(err);
      node.status({ fill: "red", shape: "ring", text: reason });
      // on the next turn: Catch nodes are wired up only after every node of the flow is built
      const report = setImmediate(() => node.error(reason, { topic: "error", payload: { kind: "config", reason } }));
      node.on("close", (_removed, done) => {
        clearImmediate(report);
        done();
      });
      return;
    }

    const resume = def.resume !== false;
    const startFrom: StartFrom =
      def.startFrom === "position"
        ? { position: String(def.position ?? "") }
        : def.startFrom === "beginning"
          ? "beginning"
          : "now";
    const checkpoints = new CheckpointStore(
      contextStore(node.context()),
      JSON.stringify(startFrom),
      checkpointsInProcess,
      node.id,
    );
    const controller = new AbortController();
    let reported: string | undefined;
    let unsaved: Checkpoint | undefined;

    const openStream = (checkpoint?: Checkpoint): EventStream => {
      const stream: EventStream = new EventStream({
        api,
        streamType: def.streamType ?? "all",
        startFrom,
        checkpoint,
        eventTypes: eventTypeList(def.eventTypes),
        onEvents: async (events: BoxEvent[], position: string) => {
          // one send per event: Node-RED deep-clones every message after the first of a multi-message send
          for (const event of events) node.send({ payload: event, topic: event.event_type, streamPosition: position });
          const checkpoint = stream.checkpoint();
          if (!resume || !checkpoint) return;
          // Node-RED delivers on a later turn; a deploy that stops the next nodes first drops the messages,
          // so the position moves on only once they were delivered (or, if a stop came first, in close).
          unsaved = checkpoint;
          await afterDelivery();
          if (controller.signal.aborted) return;
          unsaved = undefined;
          await checkpoints.save(checkpoint);
        },
        onState: (state, error) => {
          if (controller.signal.aborted) return;
          node.status(statusFor(state, error));
          if (state === "polling") reported = undefined;
          const key = error && `${error.kind}:${error.reason}`;
          if (error && key !== reported) {
            reported = key;
            node.error(error.message, {
              topic: "error",
              payload: { kind: error.kind, reason: error.reason, ...error.details },
            });
          }
        },
      });
      return stream;
    };

    const running = (async () => {
      const checkpoint = resume ? await checkpoints.load() : undefined;
      await openStream(checkpoint).run(controller.signal);
    })().catch((err) => node.error(err instanceof Error ? err.message : String(err)));

    /** The nodes this one sends to are still running: messages already handed to them were delivered. */
    const receiversRunning = () => (def.wires ?? []).flat().every((id) => RED.nodes.getNode(id) !== null);

    node.on("close", (removed, done) => {
      controller.abort();
      running
        .then(async () => {
          if (removed) checkpoints.forget();
          else if (unsaved && receiversRunning()) await checkpoints.save(unsaved);
        })
        .catch((err) => node.warn(`position not saved: ${err instanceof Error ? err.message : String(err)}`))
        .then(() => api.close())
        .then(done, done);
    });
  }

  RED.nodes.registerType("box-events-in", BoxEventsIn);
};

function eventTypeList(value: BoxEventsInDef["eventTypes"]): string[] {
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return list.map((type) => String(type).trim()).filter(Boolean);
}

/**
 * Node-RED hands messages to the next nodes with setImmediate; one queued after them runs right after,
 * in the same turn, so no deploy can come in between.
 */
function afterDelivery(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function contextStore(context: NodeContext) {
  return {
    get: (keys: string[]) =>
      new Promise<unknown[]>((resolve, reject) =>
        context.get(keys, (err, ...values) => (err ? reject(err) : resolve(values))),
      ),
    set: (keys: string[], values: unknown[]) =>
      new Promise<void>((resolve, reject) => context.set(keys, values, (err) => (err ? reject(err) : resolve()))),
  };
}
