import fs from "fs";
import path from "path";
import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { EventTrickle, fileFlow, readDelivered } from "./support/file-flow";
import { NodeRedProcess } from "./support/node-red-process";
import { delay, waitFor } from "./support/wait";

const KILLS = 3;
/** localfilesystem context store: how often the node's saved position reaches the disk (seconds) */
const FLUSH_INTERVAL_SEC = 1;

/**
 * Node-RED killed with SIGKILL while events are being created, then started again with a persistent
 * context store. No event is lost. Duplicates are allowed after a hard kill (the position the node saved
 * may not have reached the disk), but only for events delivered within the flush interval before the kill.
 */
describe("SIGKILL in a real Node-RED process", function () {
  this.timeout(180_000);
  let emulator: BoxEmulator;
  let nodeRed: NodeRedProcess | undefined;
  let trickle: EventTrickle | undefined;

  before(async () => {
    emulator = await startEmulator({ realtimeTimeoutMs: 30_000 });
  });
  after(async () => {
    await trickle?.stop();
    await nodeRed?.stop();
    await emulator.close();
  });

  it(`loses no event when killed ${KILLS} times mid-stream (duplicates only from the last flush interval)`, async () => {
    nodeRed = await NodeRedProcess.start({
      settings: {
        contextStorage: { default: { module: "localfilesystem", config: { flushInterval: FLUSH_INTERVAL_SEC } } },
      },
    });
    const outFile = path.join(nodeRed.userDir, "events.jsonl");
    const token = emulator.issueToken();
    await nodeRed.deploy(fileFlow({ emulator, outFile, token }));
    await waitFor(() => emulator.heldPolls() === 1, "the first long poll", 30_000);

    trickle = new EventTrickle(emulator, [20, 50]).start();
    const createdAt = trickle.createdAt;

    // when each event first reached the file: a repeat must come from the last flush interval before a kill
    const firstSeen = watchFirstWrites(outFile);
    const kills: { at: number; back: number }[] = [];
    for (let i = 0; i < KILLS; i++) {
      // run long enough for several flushes, then kill at a random point of the flush cycle
      await delay(2500 + Math.random() * 1000);
      await waitFor(() => readDelivered(outFile).ids.length > 0, "events flowing");
      firstSeen.poll();
      const at = Date.now();
      await nodeRed.stop("SIGKILL");
      await delay(500 + Math.random() * 1000); // events keep coming while it is down
      await nodeRed.restart();
      kills.push({ at, back: Date.now() });
    }
    await delay(2000);
    await trickle.stop();

    const created = trickle.created;
    await waitFor(
      () => {
        const got = new Set(readDelivered(outFile).ids);
        return created.every((id) => got.has(id));
      },
      `all ${created.length} events in the file`,
      60_000,
    );
    await delay(500);

    const { ids, torn } = readDelivered(outFile);
    const seen = new Map<string, number>();
    for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    const lost = created.filter((id) => !seen.has(id)).length;
    const repeated = [...seen.entries()].filter(([, n]) => n > 1);
    const duplicates = repeated.reduce((sum, [, n]) => sum + n - 1, 0);
    firstSeen.poll();
    firstSeen.stop();
    // how long before the kill that followed it each repeated event was first written to the file; one seen while
    // Node-RED was down was written just before that kill (the test looked just before sending SIGKILL)
    const ages = repeated.map(([id]) => {
      const seen = firstSeen.times.get(id) ?? -Infinity;
      const down = kills.find((k) => seen >= k.at && seen <= k.back);
      const kill = down ? down.at : (kills.find((k) => k.at >= seen)?.at ?? Infinity);
      return Math.max(0, kill - seen);
    });
    const oldest = ages.length ? Math.max(...ages) : 0;
    console.log(
      `      ${KILLS} kills, flushInterval ${FLUSH_INTERVAL_SEC} s: events created ${created.length}, delivered ${ids.length}, lost ${lost}, ` +
        `duplicates ${duplicates} (${repeated.length} events; first written at most ${oldest} ms before a kill), torn lines ${torn}`,
    );
    should(lost).equal(0, "events lost");
    should(ids.filter((id) => !createdAt.has(id))).eql([], "unknown events");
    // a repeat comes only from the window the context store had not flushed yet (plus a generous margin for a loaded machine)
    should(oldest).be.below((FLUSH_INTERVAL_SEC + 2) * 1000);
  });
});

/** Reads what the flow appended since the last look (every 25 ms), keeping when each event id first appeared. */
function watchFirstWrites(file: string): { times: Map<string, number>; poll(): void; stop(): void } {
  const times = new Map<string, number>();
  let offset = 0;
  let rest = "";
  const poll = () => {
    if (!fs.existsSync(file)) return;
    const size = fs.statSync(file).size;
    if (size <= offset) return;
    const fd = fs.openSync(file, "r");
    const chunk = Buffer.alloc(size - offset);
    fs.readSync(fd, chunk, 0, chunk.length, offset);
    fs.closeSync(fd);
    offset = size;
    const lines = (rest + chunk.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    const now = Date.now();
    for (const line of lines) {
      try {
        const id = JSON.parse(line).event_id;
        if (typeof id === "string" && !times.has(id)) times.set(id, now);
      } catch {
        // a line a kill cut short
      }
    }
  };
  const timer = setInterval(poll, 25);
  return { times, poll, stop: () => clearInterval(timer) };
}
