import should from "should";
import { CachingTokenSource, MintedToken, refreshMarginMs } from "../../nodes/box/auth/token-source";
import { BoxError } from "../../nodes/box/errors";
import { reason } from "../../nodes/box/reasons";

/** A token source on a hand-moved clock; each mint answers with the next of `answers`. */
function source(answers: Array<MintedToken | BoxError>) {
  const clock = { now: 1_000_000 };
  let mints = 0;
  const tokens = new CachingTokenSource(
    async () => {
      const answer = answers[Math.min(mints++, answers.length - 1)];
      if (answer instanceof BoxError) throw answer;
      return answer;
    },
    () => clock.now,
  );
  return { tokens, clock, mints: () => mints };
}

describe("caching token source (unit)", function () {
  it("keeps a token until its refresh margin, then mints the next one", async function () {
    const { tokens, clock, mints } = source([
      { accessToken: "a", expiresInSec: 3600 },
      { accessToken: "b", expiresInSec: 3600 },
    ]);
    (await tokens.token()).should.equal("a");
    clock.now += 3600_000 - refreshMarginMs(3600_000) - 1;
    (await tokens.token()).should.equal("a");
    clock.now += 1;
    (await tokens.token()).should.equal("b");
    mints().should.equal(2);
  });

  it("refreshes short-lived tokens a fifth of their life early, long-lived ones a minute early", function () {
    refreshMarginMs(10_000).should.equal(2000);
    refreshMarginMs(3600_000).should.equal(60_000);
  });

  it("mints once for many callers at the same time", async function () {
    const { tokens, mints } = source([{ accessToken: "a", expiresInSec: 60 }]);
    (await Promise.all(Array.from({ length: 20 }, () => tokens.token()))).should.eql(Array(20).fill("a"));
    mints().should.equal(1);
  });

  it("mints a new token after the current one was refused", async function () {
    const { tokens } = source([
      { accessToken: "a", expiresInSec: 3600 },
      { accessToken: "b", expiresInSec: 3600 },
    ]);
    tokens.invalidate(await tokens.token());
    (await tokens.token()).should.equal("b");
    tokens.invalidate("not the current one");
    (await tokens.token()).should.equal("b");
  });

  it("remembers a refused grant for ten seconds instead of asking Box again", async function () {
    const refused = new BoxError("unauthorized", reason("wrongClient"));
    const { tokens, clock, mints } = source([refused, { accessToken: "a", expiresInSec: 3600 }]);
    await should(tokens.token()).be.rejectedWith(refused);
    clock.now += 9_999;
    await should(tokens.token()).be.rejectedWith(refused);
    mints().should.equal(1);
    clock.now += 1;
    (await tokens.token()).should.equal("a");
  });

  it("asks again at once after a transient failure", async function () {
    const { tokens, mints } = source([new BoxError("network", "network error"), { accessToken: "a" }]);
    await should(tokens.token()).be.rejected();
    (await tokens.token()).should.equal("a");
    mints().should.equal(2);
  });
});
