import fs from "fs";

/** A Status node watching `nodeIds` that appends every status it sees as one JSON line to `file`. */
export function statusWatcher(tab: string, nodeIds: string[], file: string): object[] {
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
    {
      id: "status-file",
      type: "file",
      z: tab,
      filename: file,
      filenameType: "str",
      appendNewline: true,
      createDir: true,
      overwriteFile: "false",
      encoding: "none",
      x: 500,
      y: 300,
      wires: [[]],
    },
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
