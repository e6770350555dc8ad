import fs from "fs";
import { fileNode } from "./file-flow";
import type { FlowNode } from "./node-helper";

/** A Status node watching `nodeIds` that appends every status it sees as one JSON line to `file`. */
export function statusWatcher(tab: string, nodeIds: string[], file: string): FlowNode[] {
  return [
    { id: "status-watch", type: "status", z: tab, scope: nodeIds, x: 100, y: 300, wires: [["status-line"]] },
    {
      id: "status-line",
      type: "function",
      z: tab,
      func: "msg.payload = JSON.stringify(msg.status);\nreturn msg;",
      outputs: 1,
      x: 300,
      y: 300,
      wires: [["status-file"]],
    },
    { ...fileNode(file), id: "status-file", z: tab, x: 500, y: 300 },
  ];
}

/** The statuses the watcher wrote so far, oldest first. */
export function statusesIn(file: string): { fill?: string; shape?: string; text?: string }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
}
