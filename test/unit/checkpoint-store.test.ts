import should from "should";
import { CheckpointStore, KeyValueStore, SavedCheckpoint } from "../../nodes/box/events/checkpoint-store";

/** The node context as a Map. */
function memory(initial: Record<string, unknown> = {}): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: async (keys) => keys.map((key) => data.get(key)),
    set: async (keys, values) => keys.forEach((key, i) => data.set(key, values[i])),
  };
}

const NOW = JSON.stringify("now");
const checkpoint = { position: "1152922976252290890", recentIds: ["e1", "e2"] };

describe("checkpoint store (unit)", function () {
  it("saves to the context and to the process, and loads it back", async function () {
    const context = memory();
    const inProcess = new Map<string, SavedCheckpoint>();
    await new CheckpointStore(context, NOW, inProcess, "n1").commit(checkpoint);
    context.data.get("position")!.should.equal(checkpoint.position);
    should(await new CheckpointStore(context, NOW, new Map(), "n1").load()).eql(checkpoint);
    should(await new CheckpointStore(memory(), NOW, inProcess, "n1").load()).eql(checkpoint, "kept in the process");
  });

  it("ignores a checkpoint that grew from another start setting", async function () {
    const context = memory();
    await new CheckpointStore(context, NOW, new Map(), "n1").commit(checkpoint);
    should(
      await new CheckpointStore(context, JSON.stringify({ position: "5" }), new Map(), "n1").load(),
    ).be.undefined();
  });

  it("rejects what is not a position, and drops ids that are not strings", async function () {
    const store = ({ recentIds, ...rest }: Record<string, unknown>) =>
      new CheckpointStore(memory({ ...rest, recentEventIds: recentIds }), NOW, new Map(), "n1");
    should(await store({ position: "12x", recentIds: [], startedFrom: NOW }).load()).be.undefined();
    should(await store({ position: 12, recentIds: [], startedFrom: NOW }).load()).be.undefined();
    should(await store({ position: "12", recentIds: ["a", 3, null], startedFrom: NOW }).load()).eql({
      position: "12",
      recentIds: ["a"],
    });
    should(await store({ position: "12", recentIds: "a", startedFrom: NOW }).load()).eql({
      position: "12",
      recentIds: [],
    });
  });

  it("keeps the send counts of unacknowledged events (ack: flow), and drops malformed ones", async function () {
    const context = memory();
    const withCounts = { ...checkpoint, deliveries: { e3: 2 } };
    await new CheckpointStore(context, NOW, new Map(), "n1").commit(withCounts);
    should(await new CheckpointStore(context, NOW, new Map(), "n1").load()).eql(withCounts);
    context.data.set("deliveries", { e3: "2", e4: -1, e5: 1.5 });
    should(await new CheckpointStore(context, NOW, new Map(), "n1").load()).eql(checkpoint);
    await new CheckpointStore(context, NOW, new Map(), "n1").commit(checkpoint);
    should(context.data.get("deliveries")).equal(undefined, "a checkpoint without open events clears them");
  });

  it("forgets a deleted node's position in the process", async function () {
    const inProcess = new Map<string, SavedCheckpoint>();
    const store = new CheckpointStore(memory(), NOW, inProcess, "n1");
    await store.commit(checkpoint);
    store.forget();
    inProcess.has("n1").should.be.false();
  });
});
