import { BoxEvent, EventsApi, EventsWarning, isEnterpriseStream } from "../box/events/events-api";
import { ItemsApi } from "../box/folders/items-api";
import { BoxClient } from "../box/http/box-client";
import { CheckpointStore, SavedCheckpoint } from "../box/events/checkpoint-store";
import { BoxError } from "../box/errors";
import { Checkpoint, EventStream, EventStreamOptions, PagePoint, StreamState } from "../box/events/event-stream";
import { reason } from "../box/reasons";
import { contextStore, DeliveredCheckpoints, sendEach } from "./delivery";
import { AckDelivery } from "./ack-delivery";
import { AckSettings, ackSettings } from "./ack-settings";
import { startAckDelivery } from "./ack-wiring";
import { coordinationStatus, runCoordinated, StartTerm, StreamTerm, streamSettingsKey } from "./coordination";
import { CoordinationSettings } from "../box/coordination/coordination-settings";
import { PositionStore } from "../box/events/position-store";
import {
  BoxEventsInDef,
  checkpointKey,
  eventTypeList,
  migrateEventsIn,
  startFromOf,
  streamSettings,
  StreamSettings,
} from "./definition";
import { FolderSetting, folderSetting, pageSelector } from "./folder";
import { errorMessage, eventMessage } from "./messages";
import { ENGLISH_STATUS, lookupStatus, rateWaitStatus, StatusTexts, streamStatus } from "./status";
import type { GateWatcher } from "../box/http/rate-gate";
import { registerFolderPicker } from "./folder-picker-admin";
import { BoxConfigNode, Node, NodeAPI, NodeStatus } from "../shared/node-red-types";
import { translated } from "../shared/reason-text";

export = function register(RED: NodeAPI): void {
  const checkpointsInProcess = new Map<string, SavedCheckpoint>();
  registerFolderPicker(RED);

  function BoxEventsIn(this: Node, stored: BoxEventsInDef) {
    // the stored object itself: Node-RED hangs hidden properties (its flow) on it
    RED.nodes.createNode(this, stored);
    const def = migrateEventsIn(stored);
    const config = def.box ? (RED.nodes.getNode(def.box) as BoxConfigNode | null) : null;
    let client: BoxClient;
    let events: EventsApi;
    let settings: StreamSettings & { ack?: AckSettings };
    let folder: FolderSetting | undefined;
    let coordination: CoordinationSettings | undefined;
    // this node's requests held at the config's rate gate show it in the status (set once the reporter exists)
    const rateWatch: GateWatcher = {};
    try {
      if (!config) throw new BoxError("config", reason("missingConfig"));
      settings = { ...streamSettings(def), ack: ackSettings(def) };
      coordination = config.coordination();
      // enterprise events describe items in another shape, and an admin watches the whole enterprise
      folder = isEnterpriseStream(settings.streamType) ? undefined : folderSetting(def);
      client = new BoxClient({
        apiBaseUrl: config.apiBaseUrl,
        tokens: config.tokenSource(),
        proxy: config.proxy,
        rateGate: config.rateGate().watchedBy(rateWatch),
      });
      events = new EventsApi(client, (warning) => this.warn(warningText(RED._, warning)));
    } catch (err) {
      const statusText = (error: BoxError) => error.reason;
      return misconfigured(this, err, statusText);
    }
    runStream(this, def, { ...settings, client, events, config, folder, coordination, rateWatch });
  }

  function runStream(node: Node, def: BoxEventsInDef, parts: StreamParts): void {
    const key = checkpointKey(startFromOf(def), parts.streamType);
    const start: StartTerm = (store, signal, mayEmit) => streamTerm(RED, node, def, parts, { store, signal, mayEmit });
    if (parts.coordination) {
      const status = coordinationStatus(ENGLISH_STATUS);
      const replica = runCoordinated(node, parts.coordination, streamSettingsKey(def, parts), status, start);
      node.on("close", (removed, done) => {
        replica
          .close(removed)
          .then(() => parts.client.close())
          .then(done, done);
      });
      return;
    }
    const store = new CheckpointStore(contextStore(node.context()), key, checkpointsInProcess, node.id);
    const controller = new AbortController();
    const term = start(store, controller.signal, () => undefined);
    node.on("close", (removed, done) => {
      controller.abort();
      term
        .closed(removed)
        .then(() => parts.client.close())
        .then(done, done);
    });
  }

  RED.nodes.registerType("box-events-in", BoxEventsIn);
};

/** The stream from `store`'s checkpoint until `signal` aborts. */
function streamTerm(RED: NodeAPI, node: Node, def: BoxEventsInDef, parts: StreamParts, run: TermRun): StreamTerm {
  const { client, folder } = parts;
  const { store, signal } = run;
  const resume = def.resume !== false;
  const delivered = new DeliveredCheckpoints(store, signal);
  const reporter = stateReporter(node, ENGLISH_STATUS, signal);
  [parts.rateWatch.waiting, parts.rateWatch.open] = [reporter.rateWaiting, reporter.rateOpen];
  const select = pageSelector(folder, new ItemsApi(client), signal, {
    onRetry: reporter.lookupRetry,
    onRecovered: reporter.lookupRecovered,
    onLeftOut: (event, error) => lookupLeftOut(RED, node, event, error),
  });
  const receivers = () => (def.wires ?? []).flat().map((id) => RED.nodes.getNode(id));
  const wiring = {
    onState: reporter.onState,
    select,
    delivered: resume ? delivered : undefined,
    receivers,
    mayEmit: run.mayEmit,
  };
  let acks: AckDelivery | undefined;
  const running = (async () => {
    const checkpoint = resume ? await store.load() : undefined;
    if (parts.ack) acks = startAckDelivery(RED, node, parts.ack, { ...run, resume, checkpoint }, reporter);
    await openStream(node, def, parts, { ...wiring, checkpoint, acks }).run(signal);
  })().catch((err) => node.error(err instanceof Error ? err.message : String(err)));

  return {
    running,
    closed: (removed) =>
      running
        .then(() => (acks ? acks.closed(removed) : delivered.closed(removed)))
        .catch((err) => positionNotSaved(RED, node, err)),
  };
}

/** What a node's stream is made of, once its settings were checked. */
interface StreamParts extends StreamSettings {
  client: BoxClient;
  events: EventsApi;
  config: BoxConfigNode;
  folder: FolderSetting | undefined;
  /** Set when replicas coordinate through Redis. */
  coordination?: CoordinationSettings;
  /** `ack: "flow"`; undefined for the default "delivered". */
  ack?: AckSettings;
  rateWatch: GateWatcher;
}

interface TermRun {
  store: PositionStore;
  signal: AbortSignal;
  mayEmit(): void;
}

interface StreamWiring {
  checkpoint?: Checkpoint;
  /** Throws when this replica may no longer emit (coordination): checked right before a page is sent. */
  mayEmit(): void;
  onState: EventStreamOptions["onState"];
  /** What of a page the node sends (with a folder: the events that belong), each with its path when known. */
  select: ReturnType<typeof pageSelector>;
  /** Where delivered pages move the position on; none when the node does not resume. */
  delivered?: DeliveredCheckpoints;
  /** The node instances this one sends to, as they are now. */
  receivers(): unknown[];
  /** `ack: "flow"`: sends with handles, holds events and the stream at the limit, saves what is acknowledged. */
  acks?: AckDelivery;
}

function openStream(node: Node, def: BoxEventsInDef, parts: StreamParts, wiring: StreamWiring): EventStream {
  const stream: EventStream = new EventStream({
    api: parts.events,
    streamType: parts.streamType,
    pollIntervalMs: parts.pollIntervalMs,
    startFrom: startFromOf(def),
    checkpoint: wiring.checkpoint,
    eventTypes: eventTypeList(def.eventTypes),
    saveStartingPosition: parts.coordination !== undefined,
    onEvents: async (events: BoxEvent[], position: string, from?: PagePoint) => {
      const selected = await wiring.select(events);
      wiring.mayEmit();
      if (wiring.acks) return wiring.acks.deliver(selected, position, from);
      const receivers = wiring.receivers();
      // one send per event: Node-RED deep-clones every message after the first of a multi-message send
      sendEach(
        node,
        selected.map(({ event, path }) => eventMessage(event, position, path)),
      );
      if (!wiring.delivered) return;
      const checkpoint = stream.checkpoint();
      if (checkpoint) await wiring.delivered.sent(checkpoint, receivers);
    },
    onState: wiring.onState,
  });
  wiring.acks?.attach(stream);
  return stream;
}

/**
 * Shows each state as a status; tells Catch nodes once about each new problem. An item lookup that is
 * retried shows its own status until the page is decided, then the stream's status again.
 */
function stateReporter(node: Node, texts: StatusTexts, stopped: AbortSignal) {
  let reported: string | undefined;
  let streamShown: NodeStatus | undefined;
  let waits = 0;
  const report = (error: BoxError): void => {
    const key = `${error.kind}:${error.reason}`;
    if (key === reported) return;
    reported = key;
    node.error(error.message, errorMessage(error));
  };
  return {
    onState: (state: StreamState, error?: BoxError): void => {
      if (stopped.aborted) return;
      streamShown = streamStatus(state, error, texts);
      node.status(streamShown);
      if (state === "polling") reported = undefined;
      if (error) report(error);
    },
    lookupRetry: (error: BoxError): void => {
      if (stopped.aborted) return;
      node.status(lookupStatus(error, texts));
      report(error);
    },
    aside: (status: NodeStatus): void => {
      if (!stopped.aborted) node.status(status);
    },
    restore: (): void => {
      if (streamShown && !stopped.aborted) node.status(streamShown);
    },
    lookupRecovered: (): void => {
      reported = undefined;
      if (streamShown && !stopped.aborted) node.status(streamShown);
    },
    /** Another node's 429 holds this one's requests too: it is not polling while it waits. */
    rateWaiting: (): void => {
      if (waits++ === 0 && !stopped.aborted) node.status(rateWaitStatus(texts));
    },
    rateOpen: (): void => {
      if (--waits === 0 && streamShown && !stopped.aborted) node.status(streamShown);
    },
  };
}

function warningText(translate: NodeAPI["_"], warning: EventsWarning): string {
  return translate(`box-events-in.warning.${warning.kind}`, { count: warning.count });
}

/** Red status saying what is wrong, no requests; Catch nodes hear of it too. */
function misconfigured(node: Node, err: unknown, statusText: (error: BoxError) => string): void {
  const reason = err instanceof BoxError ? err.reason : String(err);
  const status: NodeStatus = { fill: "red", shape: "ring", text: err instanceof BoxError ? statusText(err) : reason };
  node.status(status);
  // again on the next turn: Status and Catch nodes are wired up only after every node of the flow is built
  const report = setImmediate(() => {
    node.status(status);
    node.error(reason, { topic: "error", payload: { kind: "config", reason } });
  });
  node.on("close", (_removed, done) => {
    clearImmediate(report);
    done();
  });
}

/** With a folder: an event whose item's lookup can never succeed is left out, said in the log. */
function lookupLeftOut(RED: NodeAPI, node: Node, event: BoxEvent, error: BoxError): void {
  const args = { id: String(event.event_id), reason: error.message };
  const english = `event ${args.id} left out: Box's answer about its item cannot be read (${args.reason})`;
  node.warn(translated(RED._, "box-events-in.warning.lookupLeftOut", english, args));
}

/** The position could not be written (a context store failing): said once, in the runtime's language. */
function positionNotSaved(RED: NodeAPI, node: Node, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  node.warn(translated(RED._, "box-events-in.warning.positionNotSaved", `position not saved: ${message}`, { message }));
}
