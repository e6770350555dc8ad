import should from "should";
import { json } from "./support/hostile-box";
import { onePageBoxPerTest } from "./support/one-page-box";
import { collect, helper, NODES, type FlowNode } from "./support/node-helper";
import { waitFor } from "./support/wait";

const FOLDER = "500";
const PATH = {
  total_count: 2,
  entries: [
    { type: "folder", id: "0", name: "All Files" },
    { type: "folder", id: FOLDER, name: "Invoices" },
  ],
};

/** One page: an event in the folder, one whose item lookup answers over the cap, and two in Box's EventSource shape. */
const PAGE = [
  {
    event_id: "e1",
    event_type: "ITEM_UPLOAD",
    source: { type: "file", id: "71", name: "a.pdf", path_collection: PATH },
  },
  { event_id: "e2", event_type: "ITEM_UPLOAD", source: { type: "file", id: "72" } },
  {
    event_id: "e3",
    event_type: "ITEM_UPLOAD",
    source: { item_type: "file", item_id: "73", item_name: "b.pdf", parent: { type: "folder", id: FOLDER } },
  },
  { event_id: "e4", event_type: "ITEM_CREATE", source: { item_type: "folder", item_id: "74", item_name: "2026" } },
  {
    event_id: "e5",
    event_type: "ITEM_UPLOAD",
    source: { item_type: "file", item_id: "75", item_name: "c.pdf", parent: { type: "folder", id: "999" } },
  },
].map((event) => ({ type: "event", ...event }));

describe("box-events-in with a folder: lookups that cannot succeed, and Box's EventSource shape", function () {
  const startBox = onePageBoxPerTest();

  it("leaves out an event whose lookup answer is over the cap, with a warning, and keeps EventSource events", async () => {
    const box = await startBox(
      PAGE.map((event) => JSON.stringify(event)),
      (_req, res, url) => {
        // file 72: an answer far over the 256 KiB cap for an item, every time it is asked
        if (url.pathname === "/2.0/files/72") return json(res, 200, { id: "72", name: "x".repeat(400 * 1024) });
        if (url.pathname === "/2.0/folders/74")
          return json(res, 200, { type: "folder", id: "74", name: "2026", path_collection: PATH });
        if (url.pathname === "/2.0/folders/999")
          return json(res, 200, {
            type: "folder",
            id: "999",
            name: "Elsewhere",
            path_collection: { total_count: 1, entries: [PATH.entries[0]] },
          });
        return false;
      },
    );
    const flow: FlowNode[] = [
      { id: "tab", type: "tab", label: "folder" },
      { id: "cfg", type: "box-config", authType: "developerToken", apiBaseUrl: box.url },
      { id: "in", type: "box-events-in", z: "tab", box: "cfg", startFrom: "now", folderId: FOLDER, wires: [["out"]] },
      { id: "out", type: "helper", z: "tab" },
    ];
    await helper.load(NODES, flow, { cfg: { accessToken: "t" } });
    const out = collect("out");
    await waitFor(() => out.some((m) => m.payload.event_id === "e4"), "the page after the unreadable lookup");
    should(out.map((m) => m.payload.event_id)).eql(["e1", "e3", "e4"]);
    should(out.find((m) => m.payload.event_id === "e4")!.path).equal("All Files/Invoices");
    const warn = helper.getNode("in").warn as unknown as { args: unknown[][] };
    should(warn.args.map((a) => String(a[0])).some((text) => /e2/.test(text))).be.true("a warning names e2");
    should(box.requestsTo("/2.0/files/72").length).equal(1, "asked once, not retried");
  });
});
