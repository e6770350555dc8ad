import should from "should";
import { onePageBoxPerTest } from "./support/one-page-box";
import { collect, helper, NODES, type FlowNode, type SeenMessage } from "./support/node-helper";
import { waitFor } from "./support/wait";

/** An event whose payload is nested deeper than Node-RED's clone can follow on the stack. */
function deepEventText(id: string): string {
  const depth = 20_000;
  return `{"type":"event","event_id":"${id}","event_type":"ITEM_UPLOAD","source":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
}

describe("box-events-in: an event Node-RED cannot send", function () {
  const startBox = onePageBoxPerTest();

  it("is reported to Catch nodes by its id, and the rest of its page is still sent", async () => {
    const event = (id: string) => JSON.stringify({ type: "event", event_id: id, event_type: "ITEM_UPLOAD" });
    const box = await startBox([event("e1"), deepEventText("e2"), event("e3")]);
    const flow: FlowNode[] = [
      { id: "tab", type: "tab", label: "send" },
      { id: "cfg", type: "box-config", authType: "developerToken", apiBaseUrl: box.url },
      // two wires: Node-RED clones the message for the second one
      { id: "in", type: "box-events-in", z: "tab", box: "cfg", startFrom: "now", resume: true, wires: [["a", "b"]] },
      { id: "a", type: "helper", z: "tab" },
      { id: "b", type: "helper", z: "tab" },
      { id: "catcher", type: "catch", z: "tab", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", type: "helper", z: "tab" },
    ];
    await helper.load(NODES, flow, { cfg: { accessToken: "t" } });
    const [a, b, caught] = [collect("a"), collect("b"), collect("caught")];
    const ids = (seen: SeenMessage[]) => seen.map((m) => m.payload.event_id);
    await waitFor(() => ids(b).includes("e3"), "the event after the one that could not be sent");
    await waitFor(() => caught.some((m) => m.payload.event_id === "e2"), "a Catch message naming e2");
    should(ids(b)).eql(["e1", "e3"]);
    should(ids(a)).containDeep(["e1", "e3"]);
    const report = caught.find((m) => m.payload.event_id === "e2")!;
    report.payload.should.match({ kind: "send", event_type: "ITEM_UPLOAD" });
    report.error!.message.should.match(/event e2 could not be sent/);
  });
});
