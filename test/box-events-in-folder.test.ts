import should from "should";
import fs from "fs";
import path from "path";
import { startEmulator, type BoxEmulator, type BoxEvent } from "../emulator";
import { DEMO_FOLDERS, seedDemoTree } from "../emulator/demo-tree";
import { resolveFromNodeRed } from "./support/node-red-version";
import {
  collect,
  errorsOf,
  eventFlow,
  type FlowNode,
  helper,
  lastStatus,
  NODES,
  sentBy,
  statusesOf,
} from "./support/node-helper";
import { delay, waitFor } from "./support/wait";

/** All Files / Invoices (the scope) / 2026, and All Files / Other beside it, with a file in each. */
function buildTree(emulator: BoxEmulator) {
  const invoices = emulator.items.createFolder("Invoices").folder.id as string;
  const sub = emulator.items.createFolder("2026", invoices).folder.id as string;
  const other = emulator.items.createFolder("Other").folder.id as string;
  const inFolder = emulator.items.uploadFile("a.pdf", invoices, "a").file.id as string;
  const inSub = emulator.items.uploadFile("b.pdf", sub, "b").file.id as string;
  const inOther = emulator.items.uploadFile("c.pdf", other, "c").file.id as string;
  return { invoices, sub, other, inFolder, inSub, inOther };
}

describe("box-events-in with a folder", function () {
  this.timeout(30_000);
  let emulator: BoxEmulator;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator({ retryTimeout: 5 });
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.close();
  });

  const polling = () => /polling/.test(lastStatus("in")?.text ?? "") && emulator.heldPolls() > 0;
  const lookups = () => emulator.requests.filter((r) => /^\/2\.0\/(files|folders)\//.test(r.path));

  async function start(events: Record<string, unknown>) {
    const { flow, credentials } = eventFlow(emulator, { events, catchErrors: true });
    await helper.load(NODES, flow, credentials);
    const received = collect("out");
    await waitFor(polling, "polling status");
    return received;
  }

  /** Events on every kind of place, in one burst; `want` marks the ones a scoped node must send. */
  function activity(t: ReturnType<typeof buildTree>) {
    // lookups see Box as it is when they run, after the whole burst: items commented on are not changed later
    const newFile = emulator.items.uploadFile("new.pdf", t.invoices, "n");
    const deepFile = emulator.items.uploadFile("deep.pdf", t.sub, "d");
    const file = (json: Record<string, unknown>) => ({ type: "file" as const, id: json.id as string });
    return [
      { event: newFile.event, direct: true, sub: true },
      { event: deepFile.event, direct: false, sub: true },
      { event: emulator.items.uploadFile("elsewhere.pdf", t.other, "e").event, direct: false, sub: false },
      { event: emulator.items.rename({ type: "folder", id: t.invoices }, "Invoices 2"), direct: true, sub: true },
      { event: emulator.items.rename({ type: "folder", id: t.sub }, "2026 Q1"), direct: true, sub: true },
      { event: emulator.items.comment(t.inFolder), direct: true, sub: true },
      { event: emulator.items.comment(t.inSub), direct: false, sub: true },
      { event: emulator.items.comment(t.inOther), direct: false, sub: false },
      { event: emulator.createEvent({ event_type: "ITEM_PREVIEW" }), direct: false, sub: false },
      { event: emulator.createEvent({ event_type: "USER_LOGIN", source: null }), direct: false, sub: false },
      { event: emulator.items.trash(file(newFile.file)), direct: true, sub: true },
      { event: emulator.items.move(file(deepFile.file), t.other), direct: false, sub: false },
    ];
  }

  for (const includeSubfolders of [true, false]) {
    it(`sends events in the folder${includeSubfolders ? ", its subfolders" : ""} and on the folder itself, in order, once, nothing else`, async () => {
      const t = buildTree(emulator);
      const received = await start({ folderId: t.invoices, includeSubfolders });
      const all = activity(t);
      const want = all.filter((a) => (includeSubfolders ? a.sub : a.direct)).map((a) => a.event.event_id);
      await waitFor(() => received.length >= want.length, `${want.length} messages`).catch((e) => {
        console.log(
          received.map((m) => [m.topic, m.path]),
          all.map((a) => [a.event.event_type, a.event.source]),
        );
        throw e;
      });
      // a marker after everything: once it is through, nothing else can still come
      const marker = emulator.items.uploadFile("marker.pdf", t.invoices, "m").event;
      await waitFor(() => received.some((m) => m.payload.event_id === marker.event_id), "the marker");
      should(received.map((m) => m.payload.event_id)).eql([...want, marker.event_id]);
      const byId = new Map(all.map((a) => [a.event.event_id, a.event] as [string, BoxEvent]));
      for (const msg of received.slice(0, -1))
        should(msg.payload).eql(JSON.parse(JSON.stringify(byId.get(msg.payload.event_id as string))));
      should(received[0]).match({ topic: "ITEM_UPLOAD", path: "All Files/Invoices" });
    });
  }

  it("adds msg.path from the event or the lookup, and sets none when Box does not tell it", async () => {
    const t = buildTree(emulator);
    const received = await start({ folderId: t.invoices, includeSubfolders: true });
    emulator.items.uploadFile("x.pdf", t.sub, "x");
    emulator.items.comment(t.inSub);
    emulator.items.trash({ type: "file", id: t.inFolder });
    await waitFor(() => received.length === 3, "3 messages");
    should(received.map((m) => m.path)).eql(["All Files/Invoices/2026", "All Files/Invoices/2026", undefined]);
  });

  it("leaves out an item Box answers 404 for and goes on; retries a 503 and then sends the comment", async () => {
    const t = buildTree(emulator);
    const received = await start({ folderId: t.invoices, includeSubfolders: true });
    emulator.items.setAccess({ type: "file", id: t.inSub }, "notFound");
    const hidden = emulator.items.comment(t.inSub);
    const after404 = emulator.items.uploadFile("after.pdf", t.invoices, "1").event;
    await waitFor(() => received.length === 1, "the upload after the hidden comment");
    should(received[0].payload.event_id).equal(after404.event_id);
    should(received.map((m) => m.payload.event_id)).not.containEql(hidden.event_id);

    emulator.injectFault({ target: "items", kind: "status", status: 503, times: 1 });
    const comment = emulator.items.comment(t.inFolder);
    const next = emulator.items.uploadFile("next.pdf", t.invoices, "2").event;
    await waitFor(() => received.length === 3, "the comment after a 503, then the upload");
    should(received.slice(1).map((m) => m.payload.event_id)).eql([comment.event_id, next.event_id]);
    should(statusesOf("in").some((s) => s.fill === "yellow" && /503/.test(s.text ?? ""))).be.true();
    await waitFor(polling, "polling again");
  });

  it("does not move its position past an undecided event: after a redeploy mid-outage the comment comes, once", async () => {
    const t = buildTree(emulator);
    const events = { folderId: t.invoices, includeSubfolders: true };
    const { flow, credentials } = eventFlow(emulator, { events });
    await helper.load(NODES, flow, credentials);
    const before = collect("out");
    await waitFor(polling, "polling");
    const first = emulator.items.uploadFile("first.pdf", t.invoices, "1").event;
    await waitFor(() => before.length === 1, "the first upload");
    emulator.injectFault({ target: "items", kind: "status", status: 500, times: 1_000_000 });
    emulator.clearRequests();
    const comment = emulator.items.comment(t.inFolder);
    await waitFor(() => lookups().length >= 2, "a retried lookup");
    should(before).have.length(1);
    const renamed = flow.map((n) => (n.id === "in" ? { ...n, name: "renamed" } : n));
    await helper.setFlows(renamed, "nodes", credentials);
    emulator.clearFaults();
    // every message either node instance sent (the same id before and after the deploy)
    const sent = () => sentBy("in").map((m) => m.payload.event_id);
    await waitFor(() => sent().length === 2, "the comment after the redeploy");
    const last = emulator.items.uploadFile("last.pdf", t.invoices, "2").event;
    await waitFor(() => sent().length === 3, "the next upload");
    await delay(100);
    should(sent()).eql([first.event_id, comment.event_id, last.event_id]);
  });

  it("makes no request and shows a red ring for a folder ID that is not a number", async () => {
    const { flow, credentials } = eventFlow(emulator, { events: { folderId: "Invoices" }, catchErrors: true });
    await helper.load(NODES, flow, credentials);
    await waitFor(() => lastStatus("in")?.fill === "red", "red status");
    should(lastStatus("in")).match({ shape: "ring" });
    await waitFor(() => errorsOf("in").length > 0, "an error for Catch nodes");
    await delay(200);
    should(emulator.requests.filter((r) => r.path.startsWith("/2.0/"))).have.length(0);
  });

  it("makes at most one lookup per file for a burst of 1,000 comments on 10 files", async () => {
    const t = buildTree(emulator);
    const received = await start({ folderId: t.invoices, includeSubfolders: true });
    emulator.clearRequests();
    const files = Array.from({ length: 10 }, (_, i) =>
      emulator.items.tree.createFile(`f${i}.txt`, t.sub, undefined, 1),
    );
    emulator.items.events(
      Array.from({ length: 1000 }, (_, i) => ({
        ref: { type: "file" as const, id: files[i % 10].id },
        eventType: "COMMENT_CREATE",
        shape: "comment" as const,
      })),
    );
    await waitFor(() => received.length === 1000, "1000 messages", 60_000);
    should(lookups().length).be.belowOrEqual(10);
  });

  it("runs the new-file-in-box-folder example: files in Invoices and below, with their full path", async () => {
    seedDemoTree(emulator.items);
    const file = path.resolve(__dirname, "../../examples/new-file-in-box-folder.json");
    const example = JSON.parse(fs.readFileSync(file, "utf8")) as FlowNode[];
    // the comment node's type is not loaded here: it only carries the example's notes
    const flow = example
      .filter((n) => n.type !== "comment")
      .map((n) => {
        if (n.type === "box-config") return { ...n, apiBaseUrl: emulator.apiUrl, credentials: undefined };
        if (n.type === "debug") return { id: n.id, z: n.z, type: "helper", x: n.x, y: n.y, wires: [] };
        return n;
      });
    const configId = example.find((n) => n.type === "box-config")!.id as string;
    const sinkId = example.find((n) => n.type === "debug")!.id as string;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a Node-RED node module, loaded by path
    const functionNode = require(resolveFromNodeRed("@node-red/nodes/core/function/10-function.js"));
    await helper.load([...NODES, functionNode], flow, {
      [configId]: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    });
    const received = collect(sinkId);
    const eventsId = example.find((n) => n.type === "box-events-in")!.id as string;
    await waitFor(() => /polling/.test(lastStatus(eventsId)?.text ?? "") && emulator.heldPolls() > 0, "polling");
    emulator.items.uploadFile("elsewhere.pdf", DEMO_FOLDERS.reports, "r");
    emulator.items.createFolder("2027", DEMO_FOLDERS.invoices);
    const march = emulator.items.uploadFile("march.pdf", DEMO_FOLDERS.invoices2026, "m").file;
    await waitFor(() => received.length >= 1, "the new invoice");
    await delay(200);
    should(received).have.length(1);
    should(JSON.parse(JSON.stringify(received[0].file))).eql({
      id: march.id,
      name: "march.pdf",
      path: "All Files/Invoices/2026/march.pdf",
      url: `https://app.box.com/file/${march.id}`,
    });
  });
});
