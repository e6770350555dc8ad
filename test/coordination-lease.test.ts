import type Redis from "ioredis";
import should from "should";
import { Lease, streamKeys } from "../nodes/box/coordination/lease";
import { keepLease } from "../nodes/box/coordination/lease-keeper";
import { closeRedisClient, createRedisClient, redisOptionsFromUrl } from "../nodes/box/coordination/redis-client";
import { parseCheckpoint, RedisPositionStore } from "../nodes/box/coordination/redis-position-store";
import { coordinationCommands, CoordinationCommands } from "../nodes/box/coordination/scripts";
import { BoxError } from "../nodes/box/errors";
import { RedisServer, redisServerInstalled } from "./support/redis-server";
import { waitFor } from "./support/wait";

/** The lease and the Redis checkpoint against a real redis-server: what keeps two replicas from both emitting. */
describe("coordination: lease and checkpoint in a real Redis", function () {
  this.timeout(60_000);
  let redis: RedisServer;
  const clients: Redis[] = [];
  let n = 0;

  before(async function () {
    if (!redisServerInstalled()) return this.skip();
    redis = await RedisServer.start({ password: "s3cret/pw" });
  });
  after(async () => {
    await Promise.all(clients.map((c) => closeRedisClient(c)));
    await redis?.stop();
  });

  /** A replica's own connection, as each node has. */
  async function replica(): Promise<CoordinationCommands> {
    const client = createRedisClient(redis.url);
    clients.push(client);
    await waitFor(() => client.status === "ready", "Redis connection");
    return coordinationCommands(client);
  }
  const keys = () => streamKeys("test", `node${++n}`, "all:now");

  it("gives the lease to one replica at a time, with a new fencing epoch each time", async () => {
    const [a, b] = [await replica(), await replica()];
    const k = keys();
    const first = new Lease(a, k, 10_000);
    const second = new Lease(b, k, 10_000);
    should(await first.acquire()).be.true();
    should(await second.acquire()).be.false();
    should(first.epoch).equal(1);
    should(await first.renew()).be.true();
    first.safe().should.be.true();
    second.safe().should.be.false();
    await first.release();
    first.safe().should.be.false();
    should(await second.acquire()).be.true();
    should(second.epoch).equal(2);
    // a release by a replica that no longer holds the lease leaves the new holder's alone
    await new Lease(a, k, 10_000).release();
    should(await second.renew()).be.true();
  });

  it("refuses the checkpoint of a holder whose lease expired and passed on (fencing)", async () => {
    const [a, b] = [await replica(), await replica()];
    const k = keys();
    const old = new Lease(a, k, 300);
    should(await old.acquire()).be.true();
    const oldStore = new RedisPositionStore(a, k, old);
    await oldStore.commit({ position: "100", recentIds: ["e1"] });
    // the old holder is paused: its lease expires and another replica takes the stream on
    const next = new Lease(b, k, 10_000);
    await waitFor(() => next.acquire(), "the lease to expire and pass on", 10_000);
    const nextStore = new RedisPositionStore(b, k, next);
    (await nextStore.load())!.should.eql({ position: "100", recentIds: ["e1"] });
    await nextStore.commit({ position: "200", recentIds: ["e1", "e2"], deliveries: { e2: 1 } });

    const refused = await oldStore.commit({ position: "150", recentIds: ["e1"] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    should(refused).be.instanceOf(BoxError);
    (refused as BoxError).kind.should.equal("standby");
    should(await old.renew()).be.false();
    (await nextStore.load())!.should.eql({ position: "200", recentIds: ["e1", "e2"], deliveries: { e2: 1 } });
  });

  it("signals the loss when another replica holds the lease now", async () => {
    const [a, b] = [await replica(), await replica()];
    const k = keys();
    const lease = new Lease(a, k, 3000);
    should(await lease.acquire()).be.true();
    const kept = keepLease(lease);
    try {
      // as if the lease had expired during a pause and another replica took it
      await (a as unknown as Redis).del(k.lease);
      should(await new Lease(b, k, 3000).acquire()).be.true();
      await waitFor(() => kept.lost.aborted, "the loss", 10_000);
      (kept.lost.reason as BoxError).kind.should.equal("standby");
    } finally {
      kept.stop();
    }
  });

  it("stops a holder that cannot reach Redis before its lease can expire", async () => {
    const client = createRedisClient(redis.url);
    clients.push(client);
    await waitFor(() => client.status === "ready", "Redis connection");
    const k = keys();
    const lease = new Lease(coordinationCommands(client), k, 3000);
    should(await lease.acquire()).be.true();
    const kept = keepLease(lease);
    const expiresBy = Date.now() + 3000;
    // the connection to Redis breaks (a partition): no renew can reach it
    client.disconnect();
    try {
      await waitFor(() => kept.lost.aborted, "the loss", 10_000);
      const lostAt = Date.now();
      console.log(`      lost ${expiresBy - lostAt} ms before the lease would expire in Redis`);
      (kept.lost.reason as BoxError).kind.should.equal("coordination");
      lease.safe().should.be.false();
      should(lostAt).be.below(expiresBy);
    } finally {
      kept.stop();
    }
  });

  it("never crashes on an unreachable Redis and never shows the URL", async () => {
    const errors: Error[] = [];
    const client = createRedisClient("redis://user:hunter2@127.0.0.1:1", (err) => errors.push(err));
    clients.push(client);
    const lease = new Lease(coordinationCommands(client), keys(), 3000);
    const err = await lease.acquire().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    should(err).be.instanceOf(Error);
    await waitFor(() => errors.length > 0, "a connection error event");
    for (const e of [err!, ...errors]) e.message.should.not.containEql("hunter2");
  });

  it("reads user, password, database and TLS from the URL and refuses other schemes without quoting them", () => {
    redisOptionsFromUrl("rediss://app:p%40ss@redis.example:6380/2").should.containDeep({
      host: "redis.example",
      port: 6380,
      db: 2,
      username: "app",
      password: "p@ss",
      tls: { servername: "redis.example" },
    });
    for (const bad of ["http://u:secret@h", "redis://", "not a url secret"]) {
      const err = (() => {
        try {
          redisOptionsFromUrl(bad);
        } catch (e) {
          return e as BoxError;
        }
      })();
      should(err).be.instanceOf(BoxError);
      err!.kind.should.equal("config");
      err!.message.should.not.containEql("secret");
    }
  });

  it("treats a stored checkpoint as hostile bytes", () => {
    should(parseCheckpoint("not json")).be.undefined();
    should(parseCheckpoint(JSON.stringify({ checkpoint: { position: "12a", recentIds: [] } }))).be.undefined();
    should(parseCheckpoint("x".repeat(5 * 1024 * 1024))).be.undefined();
    parseCheckpoint(
      JSON.stringify({ checkpoint: { position: "7", recentIds: ["a", 3, "b"], deliveries: { a: "x" } } }),
    )!.should.eql({ position: "7", recentIds: ["a", "b"], deliveries: {} });
  });
});
