import path from "path";
import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { EventTrickle } from "./support/file-flow";
import { NodeRedProcess } from "./support/node-red-process";
import { RedisServer, redisServerInstalled } from "./support/redis-server";
import { countDeliveries, REPLICA_SETTINGS, ReplicaFiles, replicaFlow } from "./support/replica-flow";
import { tempDir } from "./support/temp-dir";
import { delay, waitFor } from "./support/wait";

/** Lease TTL of the test flows (seconds); takeover after a crash must come within TTL + 2 s. */
const TTL_SEC = 5;
/** kill -9 rounds: 3 by default, more with BOX_TEST_HA_ROUNDS (e.g. 10). */
const ROUNDS = Math.max(1, Number(process.env.BOX_TEST_HA_ROUNDS) || 3);
const BURST = 2000;
/** Box's page limit: what one holder can have sent but not yet committed when it dies. */
const IN_FLIGHT_BOUND = 500;
const REDIS_DOWN_MS = 30_000;

interface Replica {
  nodeRed: NodeRedProcess;
  files: ReplicaFiles;
}

/**
 * Two real Node-RED processes with the same flows and credentials (the Redis URL as `${REDIS_URL}`), one real
 * redis-server, one emulated Box: each event reaches the flows of exactly one replica; a crash, a pause, a
 * redeploy or a Redis outage loses nothing, and repeats stay within what was in flight.
 */
describe("coordination: two Node-RED replicas, one stream", function () {
  this.timeout(600_000);
  let emulator: BoxEmulator;
  let redis: RedisServer;
  const replicas: Replica[] = [];
  let trickle: EventTrickle | undefined;

  before(async function () {
    if (!redisServerInstalled()) return this.skip();
    redis = await RedisServer.start({ persistent: true, password: "pw-of-redis" });
    emulator = await startEmulator({ realtimeTimeoutMs: 30_000 });
    const credentials = { accessToken: emulator.issueToken(), redisUrl: "${REDIS_URL}" };
    for (let i = 0; i < 2; i++) {
      const userDir = tempDir("box-nr-");
      const files = new ReplicaFiles(path.join(userDir, "events.jsonl"), path.join(userDir, "status.jsonl"));
      const env = { REDIS_URL: redis.url, OUT_FILE: files.outFile, STATUS_FILE: files.statusFile };
      replicas.push({ nodeRed: await NodeRedProcess.start({ userDir, settings: REPLICA_SETTINGS, env }), files });
    }
    await Promise.all(replicas.map((r) => r.nodeRed.deploy(replicaFlow({ emulator, credentials, leaseTtl: TTL_SEC }))));
    await waitFor(() => holder() && replicas.some((r) => r.files.standby()), "one holder and one standby", 30_000);
  });
  after(async () => {
    await trickle?.stop();
    for (const r of replicas) await r.nodeRed.stop();
    await emulator?.close();
    await redis?.stop();
  });

  const holder = (): Replica | undefined => replicas.find((r) => r.nodeRed.running && r.files.holds());
  const other = (one: Replica): Replica => replicas.find((r) => r !== one)!;
  const allFiles = () => replicas.map((r) => r.files);

  /** Creates events for `ms`, then waits until every one reached some replica's flows. */
  async function trickleFor(ms: number): Promise<string[]> {
    trickle = new EventTrickle(emulator).start();
    await delay(ms);
    await trickle.stop();
    const created = trickle.created;
    await waitFor(() => countDeliveries(created, allFiles()).lost === 0, "every event delivered", 60_000);
    return created;
  }

  it("a holder killed before the first event: the next one goes on from its starting position, nothing lost", async () => {
    const killed = holder()!;
    const survivor = other(killed);
    await killed.nodeRed.stop("SIGKILL");
    const ids = emulator.createEvents(20).map((e) => e.event_id);
    await waitFor(() => countDeliveries(ids, [survivor.files]).lost === 0, "the events on the other replica", 30_000);
    countDeliveries(ids, allFiles()).should.eql({ lost: 0, doubles: 0 });
    await killed.nodeRed.restart();
    await waitFor(() => killed.files.standby(), "the restarted replica in standby", 30_000);
  });

  it("emits each event on exactly one replica; the other stays in standby and holds no long poll", async () => {
    const before = replicas.map((r) => r.files.lines());
    const created = await trickleFor(3000);
    const grew = replicas.map((r, i) => r.files.lines() - before[i]);
    console.log(`      events ${created.length}, lines per replica ${grew.join(" / ")}`);
    grew.filter((n) => n > 0).length.should.equal(1);
    countDeliveries(created, allFiles()).should.eql({ lost: 0, doubles: 0 });
    other(holder()!).files.lastStatus()!.should.containDeep({ fill: "grey", shape: "ring", text: "standby" });
    await waitFor(() => emulator.heldPolls() === 1, "the holder's long poll");
    await delay(1000);
    should(emulator.heldPolls()).equal(1);
  });

  it("hands over with no repeats on a redeploy of the holder's node (within 2 s) and on SIGTERM (before the TTL)", async () => {
    trickle = new EventTrickle(emulator).start();
    await delay(1500);
    for (const name of ["renamed", ""]) {
      const from = holder()!;
      const linesBefore = allFiles().map((f) => f.lines());
      const at = Date.now();
      await from.nodeRed.deploy(replicaFlow({ emulator, name, leaseTtl: TTL_SEC }), "nodes");
      await waitFor(() => allFiles().some((f, i) => f.lines() > linesBefore[i] + 2), "events again", 20_000);
      const gap = Date.now() - at;
      const to = holder() === from ? "the same replica" : "the other replica";
      console.log(`      redeploy of the holder: events again after ${gap} ms, on ${to}`);
      should(gap).be.below(2000);
      // the replicas run the same flows again
      await other(from).nodeRed.deploy(replicaFlow({ emulator, name, leaseTtl: TTL_SEC }), "nodes");
      await delay(1500);
    }
    // a clean stop of the holder's process (SIGTERM, as Kubernetes sends): it releases the lease, so the other
    // replica takes over without waiting for the lease to expire
    const stopped = holder()!;
    const survivor = other(stopped);
    const survivorBefore = survivor.files.lines();
    const at = Date.now();
    await stopped.nodeRed.stop("SIGTERM");
    await waitFor(() => survivor.files.lines() > survivorBefore, "the other replica emitting", 20_000);
    const takeover = Date.now() - at;
    console.log(`      SIGTERM of the holder: the other replica emitted after ${takeover} ms`);
    should(takeover).be.below(TTL_SEC * 1000);
    await delay(1000);
    await trickle.stop();
    const created = trickle.created;
    await waitFor(() => countDeliveries(created, allFiles()).lost === 0, "every event delivered", 60_000);
    countDeliveries(created, allFiles()).should.eql({ lost: 0, doubles: 0 });
    await stopped.nodeRed.restart();
    await waitFor(() => stopped.files.standby(), "the restarted replica in standby", 30_000);
  });

  it("a holder paused longer than the TTL emits nothing after it wakes; the other replica goes on", async () => {
    await waitFor(() => holder(), "a holder");
    const paused = holder()!;
    const survivor = other(paused);
    const pausedPid = paused.nodeRed.pid!;
    // paused while it waits in a long poll, so that no message of its own is in Node-RED's hands
    process.kill(pausedPid, "SIGSTOP");
    const stoppedAt = Date.now();
    try {
      trickle = new EventTrickle(emulator).start();
      const survivorBefore = survivor.files.lines();
      await waitFor(() => survivor.files.lines() > survivorBefore, "the other replica to take over", 30_000);
      console.log(`      paused holder: the other replica emitted after ${Date.now() - stoppedAt} ms`);
      await delay(Math.max(0, (TTL_SEC + 2) * 1000 - (Date.now() - stoppedAt)));
    } finally {
      process.kill(pausedPid, "SIGCONT");
    }
    const linesAtWake = paused.files.lines();
    await delay(3000);
    await trickle.stop();
    const created = trickle.created;
    await waitFor(() => countDeliveries(created, allFiles()).lost === 0, "every event delivered", 60_000);
    paused.files.lines().should.equal(linesAtWake, "lines written by the paused replica after it woke");
    await waitFor(() => paused.files.standby(), "the woken replica in standby", 20_000);
    countDeliveries(created, allFiles()).should.eql({ lost: 0, doubles: 0 });
  });

  it(`kill -9 of the holder mid-burst of ${BURST} events, ${ROUNDS} times: nothing lost, takeover within TTL + 2 s, repeats within one page`, async () => {
    const figures: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const killed = await waitFor(() => holder(), "a holder", 30_000);
      const survivor = other(killed);
      const ids: string[] = [];
      let creating = true;
      // the burst: 2,000 events over about 4 s
      const burst = (async () => {
        for (let i = 0; i < BURST / 50; i++) {
          ids.push(...emulator.createEvents(50).map((e) => e.event_id));
          await delay(100);
        }
        creating = false;
      })();
      await waitFor(() => countDeliveries(ids, [killed.files]).lost < ids.length - 300, "the burst under way");
      const survivorBefore = survivor.files.lines();
      await killed.nodeRed.stop("SIGKILL");
      const killedAt = Date.now();
      await waitFor(() => survivor.files.lines() > survivorBefore, "the takeover", 60_000);
      const takeover = Date.now() - killedAt;
      await burst;
      should(creating).be.false();
      await waitFor(() => countDeliveries(ids, allFiles()).lost === 0, "every event of the burst", 60_000);
      const { doubles } = countDeliveries(ids, allFiles());
      figures.push(`round ${round}: takeover ${takeover} ms, repeats ${doubles}`);
      console.log(`      ${figures.at(-1)}`);
      should(takeover).be.below((TTL_SEC + 2) * 1000);
      should(doubles).be.belowOrEqual(IN_FLIGHT_BOUND);
      await killed.nodeRed.restart();
      await waitFor(() => killed.files.standby(), "the restarted replica in standby", 30_000);
    }
  });

  it(`with Redis down for ${REDIS_DOWN_MS / 1000} s nothing is emitted; after it is back nothing is lost`, async () => {
    await waitFor(() => holder(), "a holder", 30_000);
    await redis.stop();
    const downAt = Date.now();
    const unreachable = (f: ReplicaFiles) => f.lastStatus()?.text === "reconnecting: coordination unreachable";
    await waitFor(() => allFiles().every(unreachable), "both replicas showing Redis unreachable", 20_000);
    console.log(`      both replicas stopped ${Date.now() - downAt} ms after Redis went down`);
    const linesWhileDown = allFiles().map((f) => f.lines());
    trickle = new EventTrickle(emulator).start();
    await delay(Math.max(0, REDIS_DOWN_MS - (Date.now() - downAt)));
    allFiles()
      .map((f) => f.lines())
      .should.eql(linesWhileDown, "lines written while Redis was down");
    await redis.launch();
    const upAt = Date.now();
    await delay(2000);
    await trickle.stop();
    const created = trickle.created;
    await waitFor(() => countDeliveries(created, allFiles()).lost === 0, "every event delivered", 60_000);
    console.log(`      Redis back: ${created.length} events created meanwhile, all in after ${Date.now() - upAt} ms`);
    countDeliveries(created, allFiles()).should.eql({ lost: 0, doubles: 0 });
  });
});
