import should from "should";
import { BoxError } from "../../nodes/box/errors";
import { resolveCoordination } from "../../nodes/config/settings";

function failure(run: () => unknown): BoxError {
  try {
    run();
  } catch (err) {
    return err as BoxError;
  }
  throw new Error("expected a BoxError");
}

describe("coordination settings (unit)", function () {
  afterEach(() => delete process.env.BOX_UNIT_REDIS);

  it("is off without a Redis URL: one runtime, as before", () => {
    should(resolveCoordination({ haPrefix: "x", haLeaseTtl: 5 }, {})).be.undefined();
    should(resolveCoordination({}, { redisUrl: "  " })).be.undefined();
  });

  it("takes the contract's defaults (prefix boxstream, 10 s) and a ${NAME} URL from the environment", () => {
    process.env.BOX_UNIT_REDIS = "rediss://app:pw@redis.example:6380/1";
    resolveCoordination({}, { redisUrl: "${BOX_UNIT_REDIS}" })!.should.eql({
      redisUrl: "rediss://app:pw@redis.example:6380/1",
      prefix: "boxstream",
      leaseTtlMs: 10_000,
    });
    resolveCoordination({ haPrefix: " ha ", haLeaseTtl: "3" }, { redisUrl: "redis://h" })!.should.containDeep({
      prefix: "ha",
      leaseTtlMs: 3000,
    });
  });

  it("refuses a TTL under 3 s, another scheme and a missing variable, naming no value", () => {
    failure(() => resolveCoordination({ haLeaseTtl: 2 }, { redisUrl: "redis://h" })).reason.should.equal(
      "invalid lease TTL: at least 3 seconds",
    );
    const scheme = failure(() => resolveCoordination({}, { redisUrl: "https://user:topsecret@h" }));
    scheme.kind.should.equal("config");
    scheme.message.should.not.containEql("topsecret");
    failure(() => resolveCoordination({}, { redisUrl: "${BOX_UNIT_REDIS}" })).reason.should.equal(
      "missing environment variable BOX_UNIT_REDIS",
    );
  });
});
