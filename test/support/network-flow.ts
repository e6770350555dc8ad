import fs from "fs";
import path from "path";
import { fileNode } from "./file-flow";
import { statusesIn, statusWatcher } from "./status-flow";

const STATUS_FILE = "status.jsonl";

export interface NetworkFlowOptions {
  /** The box-config's properties (authType, apiBaseUrl, subjectId, jwtConfigPath, ...). */
  config: Record<string, unknown>;
  credentials?: Record<string, string>;
  /** A core `http proxy` config node for the box-config's `proxy` property. */
  proxyNode?: { url: string; noproxy?: string[]; username?: string; password?: string };
  /** Where the flow writes its files: `events.jsonl` (one Box event a line) and `status.jsonl` (one status a line). */
  dir: string;
}

/**
 * A flow as a user builds it: box-config (optionally with an http proxy node) → box-events-in → a core file
 * node, and a core status node writing every status text of the events node to a second file.
 */
export function networkFlow({ config, credentials, proxyNode, dir }: NetworkFlowOptions): object[] {
  const file = (id: string, name: string) => ({ ...fileNode(path.join(dir, name)), id });
  const flow: object[] = [
    { id: "tab1", type: "tab", label: "Box" },
    {
      id: "cfg1",
      type: "box-config",
      name: "box",
      ...config,
      ...(proxyNode ? { proxy: "proxy1" } : {}),
      ...(credentials ? { credentials } : {}),
    },
    {
      id: "events1",
      type: "box-events-in",
      z: "tab1",
      box: "cfg1",
      streamType: "all",
      startFrom: "now",
      resume: false,
      eventTypes: [],
      wires: [["events-file"]],
    },
    file("events-file", "events.jsonl"),
    ...statusWatcher("tab1", ["events1"], path.join(dir, STATUS_FILE)),
  ];
  if (proxyNode) {
    const { username, password, ...props } = proxyNode;
    flow.push({
      id: "proxy1",
      type: "http proxy",
      name: "company proxy",
      noproxy: [],
      ...props,
      credentials: { username, password },
    });
  }
  return flow;
}

/** The ids of the events the flow wrote. */
export function deliveredIds(dir: string): string[] {
  return lines(path.join(dir, "events.jsonl")).map((line) => JSON.parse(line).event_id as string);
}

/** Every status text the events node showed, in order. */
export function statusTexts(dir: string): string[] {
  return statusesIn(path.join(dir, STATUS_FILE)).map((status) => status.text ?? "");
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}
