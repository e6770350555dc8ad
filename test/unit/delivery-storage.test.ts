import should from "should";
import { BoxError } from "../../nodes/box/errors";
import { Checkpoint, PositionStore } from "../../nodes/box/events/position-store";
import { streamStatus, ENGLISH_STATUS } from "../../nodes/events-in/status";
import { DeliveredCheckpoints } from "../../nodes/events-in/delivery";

function failingStore(error: unknown): PositionStore {
  return {
    load: async () => undefined,
    commit: async (_checkpoint: Checkpoint) => {
      throw error;
    },
    forget: async () => undefined,
  };
}

describe("saving the position (unit)", function () {
  it("a context store that cannot write says the position was not saved, not that Box answered badly", async () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const delivered = new DeliveredCheckpoints(failingStore(full), new AbortController().signal);
    const err = await delivered.sent({ position: "10", recentIds: [] }, []).then(
      () => undefined,
      (e: unknown) => e,
    );
    should(err).be.instanceOf(BoxError);
    const error = err as BoxError;
    should(error.kind).equal("storage");
    should(error.needsHelp).be.false(); // retried with backoff: a freed disk lets the stream go on
    should(error.message).match(/ENOSPC/);
    should(streamStatus("reconnecting", error, ENGLISH_STATUS)).eql({
      fill: "yellow",
      shape: "ring",
      text: "reconnecting: position not saved",
    });
  });

  it("a refusal that is already a BoxError (another replica holds the stream) passes as it is", async () => {
    const standby = new BoxError("standby", "lease lost");
    const delivered = new DeliveredCheckpoints(failingStore(standby), new AbortController().signal);
    await delivered.sent({ position: "10", recentIds: [] }, []).should.be.rejectedWith(standby);
  });
});
