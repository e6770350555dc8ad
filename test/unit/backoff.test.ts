import should from "should";
import { Backoff, BackoffPolicy } from "../../nodes/box/backoff";
import { BoxError } from "../../nodes/box/errors";
import { reason } from "../../nodes/box/reasons";

const POLICY: BackoffPolicy = { baseMs: 1000, maxMs: 8000, helpBaseMs: 30_000, helpMaxMs: 120_000 };
const network = () => new BoxError("network", "network error (ECONNRESET)");
const unauthorized = () => new BoxError("unauthorized", reason("unauthorized"));

/** Delays for `errors`, with the jitter hook fixed at `r` (0: lowest, just under 1: highest). */
function delays(errors: BoxError[], r: number): number[] {
  const backoff = new Backoff(POLICY, () => r);
  return errors.map((err) => backoff.nextDelayMs(err));
}

describe("backoff (unit)", function () {
  it("doubles from the base to the ceiling, with equal jitter between half and all of it", function () {
    const six = Array.from({ length: 6 }, network);
    delays(six, 0).should.eql([500, 1000, 2000, 4000, 4000, 4000]);
    delays(six, 0.999999).map(Math.round).should.eql([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("waits much longer when a person must act, so a dead token never storms Box", function () {
    delays([unauthorized(), unauthorized(), unauthorized()], 0).should.eql([15_000, 30_000, 60_000]);
    delays(Array.from({ length: 5 }, unauthorized), 0.999999)
      .map(Math.round)
      .pop()!
      .should.equal(120_000);
  });

  it("starts over after reset", function () {
    const backoff = new Backoff(POLICY, () => 0);
    backoff.nextDelayMs(network());
    backoff.nextDelayMs(network());
    backoff.reset();
    backoff.nextDelayMs(network()).should.equal(500);
  });

  it("honours a longer retry-after, plus up to a second of jitter so nodes do not return at once", function () {
    const limited = new BoxError("rateLimited", "events: rate limited", { status: 429, retryAfterMs: 20_000 });
    delays([limited], 0).should.eql([20_000]);
    delays([limited], 0.5).should.eql([20_500]);
    const short = new BoxError("rateLimited", "events: rate limited", { status: 429, retryAfterMs: 10 });
    delays([short], 0).should.eql([500], "the backoff wins when retry-after is shorter");
  });

  it("stays finite after very many failures", function () {
    const many = delays(Array.from({ length: 200 }, network), 0.5);
    should(Number.isFinite(many[199])).be.true();
    many[199].should.equal(6000);
  });
});
