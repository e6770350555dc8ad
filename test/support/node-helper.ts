import helper from "node-red-node-test-helper";
import type { NodeInitializer, NodeMessage } from "node-red";
import type { SinonSpy } from "sinon";
import { BoxEmulator } from "../../emulator";
import boxConfigNode from "../../nodes/config/box-config";
import boxEventsInNode from "../../nodes/events-in/box-events-in";
import boxApiNode from "../../nodes/api/box-api";
import { nodeRedRuntimePath, resolveFromNodeRed } from "./node-red-version";

// the dev dependency, or the Node-RED that BOX_TEST_NODE_RED names
helper.init(nodeRedRuntimePath());

export { helper };
// from the Node-RED under test (4 or 5), so only known at run time
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const catchNode: NodeInitializer = require(resolveFromNodeRed("@node-red/nodes/core/common/25-catch.js"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const completeNode: NodeInitializer = require(resolveFromNodeRed("@node-red/nodes/core/common/24-complete.js"));
export { boxApiNode, boxConfigNode };
export const NODES = [boxConfigNode, boxEventsInNode, catchNode] as unknown as NodeInitializer[];

/** One node of a test flow, as exported flow JSON has it. */
export interface FlowNode {
  id: string;
  type: string;
  wires?: string[][];
  [property: string]: unknown;
}

/** A message as the tests read it: one Box event, or an error a Catch node got. */
export interface SeenMessage extends NodeMessage {
  payload: { [key: string]: unknown; event_id?: string; event_type?: string; kind?: string; reason?: string };
  topic?: string;
  streamPosition?: string;
  error?: { message: string; source?: { id: string } };
}

export interface FlowOptions {
  token?: string;
  events?: Record<string, unknown>;
  config?: Record<string, unknown>;
  credentials?: Record<string, string>;
  catchErrors?: boolean;
}

/** A box-config (developer token against the emulator), a box-events-in wired to a helper node `out`, and optionally a catch node wired to `caught`. */
export function eventFlow(emulator: BoxEmulator, options: FlowOptions = {}) {
  const flow: FlowNode[] = [
    { id: "tab", type: "tab", label: "test" },
    {
      id: "cfg",
      type: "box-config",
      z: "",
      name: "emulator",
      authType: "developerToken",
      apiBaseUrl: emulator.apiUrl,
      ...options.config,
    },
    {
      id: "in",
      type: "box-events-in",
      z: "tab",
      x: 100,
      y: 100,
      name: "box",
      box: "cfg",
      streamType: "all",
      startFrom: "now",
      resume: true,
      eventTypes: [],
      wires: [["out"]],
      ...options.events,
    },
    { id: "out", type: "helper", z: "tab", x: 300, y: 100 },
  ];
  if (options.catchErrors) {
    flow.push({
      id: "catcher",
      type: "catch",
      z: "tab",
      x: 100,
      y: 200,
      scope: null,
      uncaught: false,
      wires: [["caught"]],
    });
    flow.push({ id: "caught", type: "helper", z: "tab", x: 300, y: 200 });
  }
  const credentials = { cfg: options.credentials ?? { accessToken: options.token ?? emulator.issueToken() } };
  return { flow, credentials };
}

/** Collects what a helper node receives. */
export function collect(nodeId: string): SeenMessage[] {
  const received: SeenMessage[] = [];
  helper.getNode(nodeId).on("input", (msg) => received.push(msg as SeenMessage));
  return received;
}

export interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

/** The calls a node made to one of its methods (the helper spies on each). */
function callsOf(nodeId: string, method: "status" | "send" | "error") {
  const spy = helper.getNode(nodeId)[method] as unknown as SinonSpy;
  return spy.getCalls().filter((call) => (call.thisValue as { id?: string } | undefined)?.id === nodeId);
}

/** Every status the node has shown so far, oldest first (read from the helper's spy, so none is missed). */
export function statusesOf(nodeId: string): Status[] {
  return callsOf(nodeId, "status").map((call) => call.args[0] as Status);
}

export function lastStatus(nodeId: string): Status | undefined {
  const all = statusesOf(nodeId);
  return all[all.length - 1];
}

/** Messages the node has sent so far (from the helper's spy, so none sent before a listener existed is missed). */
export function sentBy(nodeId: string): SeenMessage[] {
  return callsOf(nodeId, "send").map((call) => call.args[0] as SeenMessage);
}

/** Errors the node reported with node.error, as [message, msg] pairs. */
export function errorsOf(nodeId: string): [unknown, SeenMessage | undefined][] {
  return callsOf(nodeId, "error").map((call) => [call.args[0], call.args[1] as SeenMessage | undefined]);
}
