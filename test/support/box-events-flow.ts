import type { BoxEmulator } from "../../emulator";
import type { FlowNode } from "./node-helper";

export interface BoxEventsFlowOptions {
  emulator: BoxEmulator;
  /** The config node's credentials; leave out on redeploys to keep the stored ones. */
  credentials?: Record<string, string>;
  /** The events node's name: change it to make a deploy restart the node. */
  name?: string;
  /** Other settings of the config node (e.g. coordination's `haPrefix`). */
  config?: Record<string, unknown>;
  /** Other settings of the events node (e.g. an enterprise `streamType` and `pollInterval`). */
  events?: Record<string, unknown>;
  /** The node the events node sends to. */
  to: string;
}

/**
 * The start of every real-Node-RED events flow: tab `tab1`, box-config `cfg1` (developer token, the emulator) and
 * box-events-in `events1` (all events, from now, resume) wired to `to`.
 */
export function boxEventsFlow({
  emulator,
  credentials,
  name = "",
  config = {},
  events = {},
  to,
}: BoxEventsFlowOptions): FlowNode[] {
  return [
    { id: "tab1", type: "tab", label: "Box" },
    {
      id: "cfg1",
      type: "box-config",
      name: "emulator",
      authType: "developerToken",
      apiBaseUrl: emulator.apiUrl,
      ...config,
      ...(credentials ? { credentials } : {}),
    },
    {
      id: "events1",
      type: "box-events-in",
      z: "tab1",
      name,
      box: "cfg1",
      streamType: "all",
      startFrom: "now",
      resume: true,
      eventTypes: [],
      x: 120,
      y: 80,
      wires: [[to]],
      ...events,
    },
  ];
}
