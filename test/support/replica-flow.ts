import fs from "fs";
import type { BoxEmulator } from "../../emulator";
import type { FlowNode } from "./node-helper";
import { readDelivered } from "./file-flow";
import { boxEventsFlow } from "./box-events-flow";
import { statusesIn, statusWatcher } from "./status-flow";

export interface ReplicaFlowOptions {
  emulator: BoxEmulator;
  /** Sent as the config node's credentials; leave out on redeploys to keep the stored ones. */
  credentials?: Record<string, string>;
  /** The events node's name: change it to make a deploy restart the node. */
  name?: string;
  leaseTtl?: number;
}

/**
 * The flows every replica runs, the same on each: box-config with coordination → box-events-in → a function node
 * that appends each event to the file in the process's `OUT_FILE` at once (synchronously, so a SIGKILL cannot
 * drop a line the position was already saved for), and a Status node writing statuses to `STATUS_FILE`.
 */
export function replicaFlow({ emulator, credentials, name = "", leaseTtl = 5 }: ReplicaFlowOptions): FlowNode[] {
  return [
    ...boxEventsFlow({
      emulator,
      credentials,
      name,
      config: { haPrefix: "box-ha-test", haLeaseTtl: leaseTtl },
      to: "append1",
    }),
    {
      id: "append1",
      type: "function",
      z: "tab1",
      name: "append to OUT_FILE",
      func: 'fs.appendFileSync(env.get("OUT_FILE"), JSON.stringify(msg.payload) + "\\n");\nreturn null;',
      outputs: 0,
      libs: [{ var: "fs", module: "fs" }],
      x: 360,
      y: 80,
      wires: [],
    },
    ...statusWatcher("tab1", ["events1"], "${STATUS_FILE}"),
  ];
}

/** The settings each replica's Node-RED needs for the flow (builtin `fs` in a function node). */
export const REPLICA_SETTINGS = { functionExternalModules: true };

/** One replica's files. */
export class ReplicaFiles {
  constructor(
    readonly outFile: string,
    readonly statusFile: string,
  ) {}

  ids(): string[] {
    return readDelivered(this.outFile).ids;
  }

  lines(): number {
    return fs.existsSync(this.outFile) ? fs.readFileSync(this.outFile, "utf8").split("\n").length - 1 : 0;
  }

  lastStatus(): { fill?: string; shape?: string; text?: string } | undefined {
    return statusesIn(this.statusFile).at(-1);
  }

  holds(): boolean {
    return this.lastStatus()?.text === "polling";
  }

  standby(): boolean {
    return this.lastStatus()?.text === "standby";
  }
}

/** How often each of `ids` reached the flows, over every replica's file. */
export function countDeliveries(ids: Iterable<string>, replicas: ReplicaFiles[]): { lost: number; doubles: number } {
  const wanted = new Set(ids);
  const seen = new Map<string, number>();
  for (const replica of replicas)
    for (const id of replica.ids()) if (wanted.has(id)) seen.set(id, (seen.get(id) ?? 0) + 1);
  let doubles = 0;
  for (const count of seen.values()) doubles += count - 1;
  return { lost: wanted.size - seen.size, doubles };
}
