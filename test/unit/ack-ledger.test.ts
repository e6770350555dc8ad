import should from "should";
import { AckLedger, InFlight } from "../../nodes/box/events/ack-ledger";

const events = (...ids: string[]) => ids.map((id) => ({ id, data: id }));

/** Records a page and sends what the limit allows, as the node does; returns what was sent. */
function sendPage<T>(ledger: AckLedger<T>, point: { position: string }, page: { id: string; data: T }[]) {
  ledger.page(point, page);
  return sendHeld(ledger);
}

function sendHeld<T>(ledger: AckLedger<T>): InFlight<T>[] {
  const sent: InFlight<T>[] = [];
  for (let entry = ledger.next(); entry; entry = ledger.next()) sent.push(entry);
  return sent;
}

describe("ack ledger (unit)", function () {
  it("saves the end of the newest page whose events, and every earlier page's, are acknowledged", function () {
    const ledger = new AckLedger<string>(100, { position: "10", recentIds: [] });
    const [a, b] = sendPage(ledger, { position: "12" }, events("a", "b"));
    const [c] = sendPage(ledger, { position: "13" }, events("c"));
    should(ledger.checkpoint(["a", "b", "c"])).eql({
      position: "10",
      recentIds: [],
      deliveries: { a: 1, b: 1, c: 1 },
    });
    ledger.ack(c.seq);
    // page 13 is done, page 12 is not: the position stays, c is skipped after a restart, a and b come again
    should(ledger.checkpoint(["a", "b", "c"])).eql({ position: "10", recentIds: ["c"], deliveries: { a: 1, b: 1 } });
    ledger.ack(a.seq);
    ledger.ack(b.seq);
    should(ledger.checkpoint(["a", "b", "c"])).eql({ position: "13", recentIds: ["a", "b", "c"] });
  });

  it("counts events never sent (filtered, duplicates) as done: an empty page moves the position at once", function () {
    const ledger = new AckLedger<string>(100, { position: "10", recentIds: [] });
    ledger.page({ position: "11" }, []);
    should(ledger.checkpoint(["x"])).eql({ position: "11", recentIds: ["x"] });
  });

  it("starts from where the stream stood before its first page when nothing was loaded", function () {
    const ledger = new AckLedger<string>(100);
    should(ledger.checkpoint([])).be.undefined();
    ledger.startAt({ position: "5" });
    sendPage(ledger, { position: "6" }, events("a"));
    ledger.startAt({ position: "6" }); // later calls change nothing
    should(ledger.checkpoint(["a"])).eql({ position: "5", recentIds: [], deliveries: { a: 1 } });
  });

  it("counts sends across runs: an event a loaded checkpoint left open is sent with its earlier count", function () {
    const ledger = new AckLedger<string>(100, { position: "10", recentIds: [], deliveries: { a: 2 } });
    const [a, b] = sendPage(ledger, { position: "12" }, events("a", "b"));
    should([a.sends, b.sends]).eql([3, 1]);
  });

  it("sends no more than the limit, holds the rest of the page in order, and wakes a waiter once an ack makes room", async function () {
    const ledger = new AckLedger<string>(2, { position: "1", recentIds: [] });
    const [a, b] = sendPage(ledger, { position: "2" }, events("a", "b", "c", "d"));
    should([a.data, b.data]).eql(["a", "b"]);
    should([ledger.unacknowledged, ledger.holding, ledger.room()]).eql([2, 2, 0]);
    should(ledger.next()).be.undefined();
    let woken = false;
    const waiting = ledger.waitForRoom(new AbortController().signal).then(() => (woken = true));
    await new Promise((resolve) => setImmediate(resolve));
    should(woken).be.false();
    ledger.ack(a.seq);
    await waiting;
    should(sendHeld(ledger).map((e) => e.data)).eql(["c"], "the oldest held event, and only as many as the room");
    should(ledger.ack(a.seq)).be.false("a second ack of the same event");
  });

  it("treats held events as not done: the position stays, their ids are not skipped, only sends are counted", function () {
    const ledger = new AckLedger<string>(1, { position: "10", recentIds: [], deliveries: { c: 2 } });
    const [a] = sendPage(ledger, { position: "11" }, events("a", "b", "c"));
    should(ledger.checkpoint(["x", "a", "b", "c"])).eql({
      position: "10",
      recentIds: ["x"],
      deliveries: { a: 1, c: 2 },
    });
    should(ledger.ack(2)).be.false("a held event cannot be acknowledged");
    should(ledger.resend(0).map((e) => e.data)).eql(["a"], "only sent events are sent again");
    ledger.ack(a.seq);
    const [b] = sendHeld(ledger);
    should(ledger.checkpoint(["x", "a", "b", "c"])).eql({
      position: "10",
      recentIds: ["x", "a"],
      deliveries: { b: 1, c: 2 },
    });
    ledger.ack(b.seq);
    const [c] = sendHeld(ledger);
    should(c.sends).equal(3, "counted on from the earlier run's sends");
    ledger.ack(c.seq);
    should(ledger.checkpoint(["x", "a", "b", "c"])).eql({ position: "11", recentIds: ["x", "a", "b", "c"] });
  });

  it("rejects a waiter when the node stops", async function () {
    const ledger = new AckLedger<string>(1, { position: "1", recentIds: [] });
    sendPage(ledger, { position: "2" }, events("a"));
    const stop = new AbortController();
    const waiting = ledger.waitForRoom(stop.signal);
    stop.abort();
    await should(waiting).be.rejected();
  });

  it("sends again, oldest first, only what waited at least the given time", function () {
    let now = 1000;
    const ledger = new AckLedger<string>(100, { position: "1", recentIds: [] }, () => now);
    const [a, b] = sendPage(ledger, { position: "2" }, events("a", "b"));
    now = 2000;
    const [c] = sendPage(ledger, { position: "3" }, events("c"));
    ledger.ack(a.seq);
    now = 2500;
    should(ledger.resend(1000).map((e) => e.data)).eql(["b"]);
    should(b.sends).equal(2);
    now = 3500;
    should(ledger.resend(1000).map((e) => e.data)).eql(["b", "c"], "in Box's order");
    should([b.sends, c.sends]).eql([3, 2]);
    should(ledger.checkpoint([])!.deliveries).eql({ b: 3, c: 2 });
  });

  it("keeps an event id that is an object key of every JS object as plain data", function () {
    const ledger = new AckLedger<string>(100, { position: "1", recentIds: [] });
    sendPage(ledger, { position: "2" }, events("__proto__", "constructor"));
    const saved = ledger.checkpoint(["__proto__", "constructor", "toString"])!;
    should(saved.recentIds).eql(["toString"]);
    should(Object.getPrototypeOf(saved.deliveries)).equal(Object.prototype);
    should(Object.keys(saved.deliveries!)).eql(["__proto__", "constructor"]);
  });
});
