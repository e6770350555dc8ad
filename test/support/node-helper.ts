/* eslint-disable @typescript-eslint/no-explicit-any */
import { BoxEmulator } from "../../emulator";
import { nodeRedRuntimePath, resolveFromNodeRed } from "./node-red-version";
import boxApiNode from "../../nodes/box-api";

// node-red-node-test-helper ships no typings
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const helper: any = require("node-red-node-test-helper");
// the dev dependency, or the Node-RED that BOX_TEST_NODE_RED names
helper.init(nodeRedRuntimePath());

export const boxConfigNode = require("../../nodes/box-config");
export const boxEventsInNode = require("../../nodes/box-events-in");
export const catchNode = require(resolveFromNodeRed("@node-red/nodes/core/common/25-catch.js"));
// a core node of the Node-RED under test, found by path at run time
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const completeNode = require(resolveFromNodeRed("@node-red/nodes/core/common/24-complete.js"));
export { boxApiNode };
export const NODES = [boxConfigNode, boxEventsInNode, catchNode];

export interface FlowOptions {
  token?: string;
  events?: Record<string, unknown>;
  config?: Record<string, unknown>;
  credentials?: Record<string, string>;
  catchErrors?: boolean;
}

/** A box-config (developer token against the emulator), a box-events-in wired to a helper node `out`, and optionally a catch node wired to `caught`. */
export function eventFlow(emulator: BoxEmulator, options: FlowOptions = {}) {
  const flow: Record<string, unknown>[] = [
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
export function collect(nodeId: string): any[] {
  const received: any[] = [];
  helper.getNode(nodeId).on("input", (msg: any) => received.push(msg));
  return received;
}

export interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

/** Every status the node has shown so far, oldest first (read from the helper's spy, so none is missed). */
export function statusesOf(nodeId: string): Status[] {
  const spy = helper.getNode(nodeId).status;
  return spy
    .getCalls()
    .filter((call: any) => call.thisValue?.id === nodeId)
    .map((call: any) => call.args[0]);
}

export function lastStatus(nodeId: string): Status | undefined {
  const all = statusesOf(nodeId);
  return all[all.length - 1];
}

/** Messages the node has sent so far (from the helper's spy, so none sent before a listener existed is missed). */
export function sentBy(nodeId: string): any[] {
  const spy = helper.getNode(nodeId).send;
  return spy
    .getCalls()
    .filter((call: any) => call.thisValue?.id === nodeId)
    .map((call: any) => call.args[0]);
}

/** Errors the node reported with node.error, as [message, msg] pairs. */
export function errorsOf(nodeId: string): [unknown, any][] {
  const spy = helper.getNode(nodeId).error;
  return spy
    .getCalls()
    .filter((call: any) => call.thisValue?.id === nodeId)
    .map((call: any) => [call.args[0], call.args[1]]);
}
