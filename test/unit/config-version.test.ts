import "should";
import { migrate, Migration } from "../../nodes/shared/config-version";
import { migrateEventsIn } from "../../nodes/events-in/definition";

interface Def {
  version?: number;
  interval?: number;
  intervalSec?: number;
}

describe("config versioning (unit)", function () {
  // a made-up second version that renamed a property, to show how a later change is migrated
  const steps: Migration<Def>[] = [
    (def) => def,
    ({ interval, ...rest }) => ({ ...rest, intervalSec: interval === undefined ? undefined : interval / 1000 }),
  ];

  it("runs every step from the stored version on, and stamps the current version", function () {
    migrate<Def>({ interval: 5000 }, steps).should.eql({ intervalSec: 5, version: 2 });
    migrate<Def>({ version: 1, interval: 2000 }, steps).should.eql({ intervalSec: 2, version: 2 });
    migrate<Def>({ version: 2, intervalSec: 7 }, steps).should.eql({ version: 2, intervalSec: 7 });
  });

  it("leaves a definition from a newer release as it is, and does not change the stored object", function () {
    const newer: Def = { version: 3, intervalSec: 1 };
    migrate(newer, steps).should.equal(newer);
    const old: Def = { interval: 1000 };
    migrate(old, steps);
    old.should.eql({ interval: 1000 });
  });

  it("upgrades today's box-events-in definitions to version 1 without changing them", function () {
    const def = { name: "x", streamType: "changes" as const, resume: false };
    migrateEventsIn(def).should.eql({ ...def, version: 1 });
    migrateEventsIn({ ...def, version: 1 }).should.eql({ ...def, version: 1 });
  });
});
