import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { boxApiNode, boxConfigNode, catchNode, type FlowNode, helper, lastStatus } from "./support/node-helper";
import { HostileBox, json } from "./support/hostile-box";
import { waitFor } from "./support/wait";

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NODES = [boxConfigNode, boxApiNode, catchNode];

/** box-config → box-api (an operation, version 2 as the editor saves it) → `out`; a Catch node → `caught`. */
function operationFlow(apiUrl: string, api: Record<string, unknown>): FlowNode[] {
  return [
    { id: "tab", type: "tab", label: "test" },
    { id: "cfg", type: "box-config", authType: "developerToken", apiBaseUrl: apiUrl },
    { id: "api", type: "box-api", z: "tab", box: "cfg", version: 2, wires: [["out"]], ...api },
    { id: "out", type: "helper", z: "tab" },
    { id: "catcher", type: "catch", z: "tab", scope: ["api"], uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: "tab" },
  ];
}

describe("box-api operations", function () {
  let emulator: BoxEmulator;
  let out: Msg[];
  let caught: Msg[];

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.close();
  });

  /** Loads the flow with this box-api node (replacing the one a test loaded before). */
  async function load(api: Record<string, unknown>, apiUrl = emulator.apiUrl) {
    await helper.unload();
    await helper.load(NODES, operationFlow(apiUrl, api), { cfg: { accessToken: emulator.issueToken() } });
    out = [];
    caught = [];
    helper.getNode("out").on("input", (msg: Msg) => out.push(msg));
    helper.getNode("caught").on("input", (msg: Msg) => caught.push(msg));
  }
  /** The message the node sends for `msg` (or fails on, as the Catch node got it). */
  async function run(msg: Msg): Promise<Msg> {
    const before = out.length + caught.length;
    helper.getNode("api").receive(msg);
    await waitFor(() => out.length + caught.length > before, "the node's answer");
    return (out.length > 0 ? out[out.length - 1] : caught[caught.length - 1]) as Msg;
  }
  const eventMsg = (event: unknown) => ({ payload: JSON.parse(JSON.stringify(event)), topic: "event" });
  const requests = (prefix: string) => emulator.requests.filter((r) => r.server === "api" && r.path.startsWith(prefix));
  const stored = (id: string) => emulator.items.tree.get({ type: "file", id }) as Msg;
  const folderOf = (id: string) => emulator.items.tree.get({ type: "folder", id }) as Msg;
  const inbox = () => emulator.items.createFolder("Inbox").folder.id as string;

  it("file.get: the file of the incoming event, in Box's item and EventSource forms", async () => {
    const { file, event } = emulator.items.uploadFile("a.pdf", inbox(), "aaa");
    await load({ operation: "file.get" });
    should((await run(eventMsg(event))).payload).match({ type: "file", id: file.id, name: "a.pdf" });
    const eventSource = {
      item_type: "file",
      item_id: file.id,
      item_name: "a.pdf",
      parent: { type: "folder", id: "0" },
    };
    const second = await run({ payload: { event_type: "ITEM_UPLOAD", source: eventSource } });
    should(second).match({ payload: { id: file.id }, statusCode: 200 });
    should(caught).have.length(0);
  });

  it("file.download: the bytes in msg.payload, the Box name in msg.filename, Box's headers in msg.boxHeaders", async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) % 256));
    const { event } = emulator.items.uploadFile("Rechnung März.pdf", inbox(), bytes);
    await load({ operation: "file.download" });
    const msg = await run({ ...eventMsg(event), path: "All Files/Inbox", headers: { "x-from": "http-in" } });
    should(Buffer.isBuffer(msg.payload) && msg.payload.equals(bytes)).be.true();
    should(msg).match({ filename: "Rechnung März.pdf", statusCode: 200, path: "All Files/Inbox" });
    should(msg.boxHeaders["content-type"]).equal("application/octet-stream");
    should(msg.headers).eql({ "x-from": "http-in" }); // left as it came in
    should(emulator.requests.filter((r) => r.server === "download")[0].authorization).be.undefined();
  });

  it("file.download: a 202 with retry-after (file not ready yet) is asked again after that delay", async () => {
    const { file } = emulator.items.uploadFile("fresh.txt", "0", "just uploaded");
    emulator.injectFault({ target: "content", kind: "status", status: 202, retryAfter: 1, times: 2 });
    await load({ operation: "file.download", fileId: file.id, fileIdType: "str" });
    const msg = await run({ payload: "go" });
    should(msg.payload.toString()).equal("just uploaded");
    const tries = requests(`/2.0/files/${file.id}/content`);
    should(tries).have.length(3);
    should(tries[1].at - tries[0].at).be.aboveOrEqual(1000);
  });

  it("file.upload: msg.payload (a Buffer or a string) named by msg.filename or the Name field; the answer is the file", async () => {
    const folder = inbox();
    await load({ operation: "file.upload", parentId: "target", parentIdType: "msg" });
    const msg = await run({ payload: Buffer.from("a,b\n"), filename: "/tmp/report.csv", target: folder });
    should(caught).have.length(0);
    should(msg.payload).match({ type: "file", name: "report.csv", parent: { id: folder } });
    should(msg.statusCode).equal(201);
    await load({
      operation: "file.upload",
      parentId: folder,
      parentIdType: "str",
      newName: "note.txt",
      newNameType: "str",
    });
    const note = await run({ payload: "hello" });
    should(note.payload.name).equal("note.txt");
    // the label of a node made in the dialog (which always stores newName) is never a file name
    const labelled = { name: "Upload invoices", newName: "", newNameType: "str" };
    await load({ operation: "file.upload", parentId: folder, parentIdType: "str", ...labelled });
    should((await run({ payload: "x" })).error.code).equal("upload_needs_name");
    should(stored(note.payload.id).content.toString()).equal("hello");
  });

  it("file.upload: a name clash names the existing file, or uploads a new version of it when the node says so", async () => {
    const folder = inbox();
    const existing = emulator.items.uploadFile("same.txt", folder, "old").file.id as string;
    await load({ operation: "file.upload", parentId: folder, parentIdType: "str" });
    const failed = await run({ payload: "new", filename: "same.txt" });
    should(failed.error.message).match(new RegExp(`HTTP 409.*item_name_in_use.*existing file ${existing}`));
    should(failed.error.cause.conflictId).equal(existing);
    should(lastStatus("api")).match({ fill: "red", text: "HTTP 409 item_name_in_use" });
    await load({ operation: "file.upload", parentId: folder, parentIdType: "str", onConflict: "version" });
    const versioned = await run({ payload: "new", filename: "same.txt" });
    should(versioned.payload).match({ id: existing, size: 3 });
    should(stored(existing).content.toString()).equal("new");
  });

  it("file.uploadVersion, file.copy, file.move, file.rename, file.delete", async () => {
    const [from, to] = [inbox(), emulator.items.createFolder("Archive").folder.id as string];
    const { file, event } = emulator.items.uploadFile("v.txt", from, "one");
    await load({ operation: "file.uploadVersion", fileId: file.id, fileIdType: "str" });
    await run({ payload: Buffer.from("two") });
    should(stored(file.id as string).content.toString()).equal("two");
    should(stored(file.id as string).name).equal("v.txt");
    await load({ operation: "file.copy", parentId: to, parentIdType: "str", newName: "copy.txt", newNameType: "str" });
    const copy = await run(eventMsg(event));
    should(copy.payload).match({ name: "copy.txt", parent: { id: to } });
    should(stored(copy.payload.id).content.toString()).equal("two");
    await load({ operation: "file.move", parentId: to, parentIdType: "str" });
    should((await run(eventMsg(event))).payload.parent.id).equal(to);
    await load({ operation: "file.rename", newName: "renamed.txt", newNameType: "str" });
    should((await run(eventMsg(event))).payload.name).equal("renamed.txt");
    // the contract's stored form: `name` with a `nameType` (a node label has no type)
    await load({ operation: "file.rename", name: "contract.txt", nameType: "str" });
    should((await run(eventMsg(event))).payload.name).equal("contract.txt");
    await load({ operation: "file.rename", name: "bare.txt" }); // no newName: not written by the dialog
    should((await run(eventMsg(event))).payload.name).equal("bare.txt");
    await load({ operation: "file.rename", name: "a label", newName: "dialog.txt", newNameType: "str" });
    should((await run(eventMsg(event))).payload.name).equal("dialog.txt");
    await load({ operation: "file.delete" });
    should((await run(eventMsg(event))).statusCode).equal(204);
    should(emulator.items.tree.isTrashed(stored(file.id as string) as never)).be.true();
    should(caught).have.length(0);
  });

  it("file.sharedLink with an access level, file.removeSharedLink, file.comment", async () => {
    const { file, event } = emulator.items.uploadFile("share.pdf", inbox(), "s");
    await load({ operation: "file.sharedLink", access: "company", accessType: "str" });
    const shared = await run(eventMsg(event));
    should(shared.payload.shared_link).match({ access: "company", url: /^https:\/\/app\.box\.com\/s\// });
    await load({ operation: "file.removeSharedLink" });
    should((await run(eventMsg(event))).payload.shared_link).be.null();
    await load({ operation: "file.comment", message: "msg.note", messageType: "str" });
    const comment = await run(eventMsg(event));
    should(comment.payload).match({ type: "comment", message: "msg.note", item: { id: file.id } });
  });

  it("file.getMetadata and file.setMetadata (create, then update the existing instance with a JSON Patch)", async () => {
    const { event } = emulator.items.uploadFile("meta.pdf", inbox(), "m");
    const fields = { scope: "enterprise", scopeType: "str", templateKey: "invoice", templateKeyType: "str" };
    await load({ operation: "file.setMetadata", ...fields });
    should((await run({ ...eventMsg(event), payload: { ...eventMsg(event).payload, amount: 1 } })).statusCode).equal(
      201,
    );
    await load({ operation: "file.setMetadata", fileId: "id", fileIdType: "msg", ...fields });
    const fileId = eventMsg(event).payload.source.id;
    const updated = await run({ id: fileId, payload: { amount: 7, vendor: "ACME" } });
    should(updated).match({ statusCode: 200, payload: { amount: 7, vendor: "ACME", $version: 1 } });
    await load({ operation: "file.getMetadata", ...fields });
    should((await run(eventMsg(event))).payload).match({ amount: 7, vendor: "ACME", $template: "invoice" });
    should(caught).have.length(0);
  });

  it("folder.get, folder.items, folder.create, folder.copy, folder.move, folder.rename, folder.sharedLink, folder.delete", async () => {
    const { folder, event } = emulator.items.createFolder("Projects");
    emulator.items.uploadFile("plan.txt", folder.id as string, "p");
    await load({ operation: "folder.get" });
    should((await run(eventMsg(event))).payload).match({ type: "folder", id: folder.id, name: "Projects" });
    await load({ operation: "folder.items" });
    should((await run(eventMsg(event))).payload).match({ total_count: 1, entries: [{ name: "plan.txt" }] });
    await load({ operation: "folder.create", newName: "2026", newNameType: "str" });
    const created = await run(eventMsg(event));
    should(created.payload).match({ type: "folder", name: "2026", parent: { id: folder.id } });
    await load({
      operation: "folder.copy",
      parentId: "0",
      parentIdType: "str",
      newName: "Projects copy",
      newNameType: "str",
    });
    const copy = await run(eventMsg(event));
    should(emulator.items.tree.childrenOf(copy.payload.id).map((c) => c.name)).eql(["2026", "plan.txt"]);
    await load({
      operation: "folder.move",
      folderId: created.payload.id,
      folderIdType: "str",
      parentId: "0",
      parentIdType: "str",
    });
    const moved = await run({});
    should(moved.error).be.undefined();
    should(moved.payload.parent.id).equal("0");
    await load({ operation: "folder.rename", newName: "Projects 2026", newNameType: "str" });
    should((await run(eventMsg(event))).payload.name).equal("Projects 2026");
    await load({ operation: "folder.sharedLink" });
    should((await run(eventMsg(event))).payload.shared_link.url).match(/^https:\/\/app\.box\.com\/s\//);
    await load({ operation: "folder.delete" });
    should((await run(eventMsg(event))).statusCode).equal(204);
    should(emulator.items.tree.isTrashed(folderOf(folder.id as string) as never)).be.true();
    should(caught).have.length(0);
  });

  it("folder.items: all 2,500 entries of a folder, once each, in one request per 1000 (Box's marker pages)", async () => {
    const big = emulator.items.createFolder("Big").folder.id as string;
    for (let i = 0; i < 2500; i++)
      emulator.items.tree.createFile(`f${String(i).padStart(4, "0")}.txt`, big, undefined, 1);
    await load({ operation: "folder.items", folderId: big, folderIdType: "str", asUser: "42", asUserType: "str" });
    const msg = await run({ payload: "go" });
    should(caught).have.length(0);
    should(msg.payload.total_count).equal(2500);
    should(msg.payload.entries).have.length(2500);
    should(new Set(msg.payload.entries.map((e: Msg) => e.id)).size).equal(2500);
    should(msg.payload.entries[2499]).match({ type: "file", name: "f2499.txt" });
    const pages = requests(`/2.0/folders/${big}/items`);
    should(pages).have.length(Math.ceil(2500 / 1000));
    for (const page of pages) should(page).match({ path: /usemarker=true/, asUser: "42" });
  });

  it("folder.items: pages that never end (a repeated marker, endless empty pages), too many entries or bytes in all fail to Catch", async () => {
    let fresh = 0;
    const box = await HostileBox.start({
      other: (_req, res, url) => {
        const folder = /^\/2\.0\/folders\/(\d+)\/items$/.exec(url.pathname)?.[1];
        if (!folder) return false;
        const entries =
          folder === "3" ? Array.from({ length: 1000 }, (_, i) => ({ type: "file", id: `${fresh}${i}` })) : [];
        // folder 1 hands out the same marker again; folders 2 and 3 a new one every time
        json(res, 200, { entries, limit: 1000, next_marker: folder === "1" ? "same" : `m${++fresh}` });
      },
    });
    try {
      const listing = async (folderId: string) => {
        await load({ operation: "folder.items", folderId, folderIdType: "str" }, box.url);
        return (await run({ payload: "go" })).error;
      };
      should(await listing("1")).match({ code: "listing_loop", message: /did not come to an end/ });
      should(box.requestsTo("/2.0/folders/1/items")).have.length(2);
      should(await listing("2")).match({ code: "listing_loop" });
      should(box.requestsTo("/2.0/folders/2/items")).have.length(200);
      should(await listing("3")).match({ code: "too_many_items", message: /more than 100000 entries/ });
      should(box.requestsTo("/2.0/folders/3/items")).have.length(101);
      // the node's size cap bounds all pages together (each of these is about 30 KB)
      await load({ operation: "folder.items", folderId: "3", folderIdType: "str", maxBytes: 100_000 }, box.url);
      should((await run({ payload: "go" })).error).match({ code: "tooLarge", message: /size cap of 100000 bytes/ });
      should(box.requestsTo("/2.0/folders/3/items").length).be.within(102, 105);
      should(out).have.length(0);
    } finally {
      await box.close();
    }
  });

  it("search finds items by name, and keeps to one search a second (Box's tighter search limit)", async () => {
    emulator.items.uploadFile("invoice-1.pdf", inbox(), "1");
    emulator.items.uploadFile("other.txt", "0", "2");
    await load({ operation: "search", query: "q", queryType: "msg" });
    const found = await run({ q: "invoice" });
    should(found.payload).match({ total_count: 1, entries: [{ name: "invoice-1.pdf" }] });
    await run({ q: "other" });
    const [first, second] = requests("/2.0/search");
    should(second.at - first.at).be.aboveOrEqual(900);
  });

  it("user.me with As user sends the as-user header", async () => {
    await load({ operation: "user.me", asUser: "user", asUserType: "msg" });
    const msg = await run({ user: "33333" });
    should(msg.payload).match({ type: "user", id: emulator.requests.length > 0 ? /\d+/ : "" });
    should(requests("/2.0/users/me")[0].asUser).equal("33333");
  });

  it("refuses a message without the item an operation needs, naming the field, with no request", async () => {
    await load({ operation: "file.download" });
    const failed = await run({ payload: { source: null }, topic: "t" });
    should(failed.error.message).match(/fileId/);
    should(failed.topic).equal("t");
    await load({ operation: "file.get", fileId: "12/../3", fileIdType: "str" });
    should((await run({})).error.message).match(/fileId must be a Box ID/);
    should(requests("/2.0/")).have.length(0);
  });
});
