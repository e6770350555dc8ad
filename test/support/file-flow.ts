import fs from "fs";
import type { FlowNode } from "./node-helper";
import { BoxEmulator } from "../../emulator";
import { delay } from "./wait";
import { boxEventsFlow } from "./box-events-flow";

/** A core file node `file1` that appends each message's payload to `outFile`, one per line. */
export function fileNode(outFile: string): FlowNode {
  return {
    id: "file1",
    type: "file",
    z: "tab1",
    name: "",
    filename: outFile,
    filenameType: "str",
    appendNewline: true,
    createDir: true,
    overwriteFile: "false",
    encoding: "none",
    wires: [[]],
  };
}

export interface FileFlowOptions {
  emulator: BoxEmulator;
  /** Where the flow's file node appends one JSON event per line. */
  outFile: string;
  /** Sent as the config node's credentials; leave out on redeploys to keep the stored ones. */
  token?: string;
  /** The events node's name: change it to make a deploy restart the node. */
  name?: string;
  /** Other settings of the events node (e.g. an enterprise `streamType` and `pollInterval`). */
  events?: Record<string, unknown>;
}

/** A flow as a user would build it: box-config (developer token) → box-events-in (resume) → a core file node. */
export function fileFlow({ emulator, outFile, token, name, events }: FileFlowOptions): FlowNode[] {
  const credentials = token ? { accessToken: token } : undefined;
  return [
    ...boxEventsFlow({ emulator, credentials, name, events, to: "file1" }),
    {
      ...fileNode(outFile),
      x: 360,
      y: 80,
    },
  ];
}

/** The event ids the flow wrote, in order; `torn` counts lines a hard kill cut short. */
export function readDelivered(file: string): { ids: string[]; torn: number } {
  const ids: string[] = [];
  let torn = 0;
  if (!fs.existsSync(file)) return { ids, torn };
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    try {
      ids.push(JSON.parse(line).event_id);
    } catch {
      torn++;
    }
  }
  return { ids, torn };
}

/** Creates 1-3 events every few tens of milliseconds until stopped: Box activity that does not pause for a deploy or a crash. */
export class EventTrickle {
  /** Event id → when it was created, in creation order. */
  readonly createdAt = new Map<string, number>();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly emulator: BoxEmulator,
    private readonly gapMs: [number, number] = [15, 45],
  ) {}

  start(): this {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const now = Date.now();
        for (const event of this.emulator.createEvents(1 + Math.floor(Math.random() * 3)))
          this.createdAt.set(event.event_id, now);
        await delay(this.gapMs[0] + Math.random() * (this.gapMs[1] - this.gapMs[0]));
      }
    })();
    return this;
  }

  get created(): string[] {
    return [...this.createdAt.keys()];
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
