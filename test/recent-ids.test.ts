import should from "should";
import { RecentIds } from "../nodes/box/events/recent-ids";

describe("recent event ids", function () {
  it("says whether an id was seen, forgets the oldest beyond its capacity, and saves oldest first", () => {
    const recent = new RecentIds(3);
    should(["a", "b", "a", "c"].map((id) => recent.add(id))).eql([true, true, false, true]);
    should(recent.add("d")).be.true(); // "a" falls out
    should(recent.toArray()).eql(["b", "c", "d"]);
    should(recent.add("a")).be.true();
    should(recent.add("c")).be.false();
    should(recent.toArray()).eql(["c", "d", "a"]);
  });

  it("starts from saved ids, keeping the newest when there are more than it holds", () => {
    const recent = new RecentIds(2, ["a", "b", "c"]);
    should(recent.toArray()).eql(["b", "c"]);
    should(recent.add("a")).be.true();
    should(recent.add("c")).be.false();
  });

  it("hands out a copy: a saved checkpoint does not change as new events arrive", () => {
    const recent = new RecentIds(2, ["a", "b"]);
    const saved = recent.toArray();
    recent.add("c");
    should(saved).eql(["a", "b"]);
  });
});
