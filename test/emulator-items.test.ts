import should from "should";
import { createHash } from "crypto";
import { startEmulator, type BoxEmulator } from "../emulator";

interface Reply {
  status: number;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("Box emulator: folders and files", function () {
  this.timeout(10_000);
  let emu: BoxEmulator;
  let token = "";

  beforeEach(async () => {
    emu = await startEmulator();
    token = emu.issueToken();
  });
  afterEach(() => emu.close());

  async function get(path: string, auth = true): Promise<Reply> {
    const res = await fetch(emu.apiUrl + path, { headers: auth ? { authorization: `Bearer ${token}` } : {} });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }
  async function control(action: string, body: unknown): Promise<Reply> {
    const res = await fetch(`${emu.apiUrl}/_emulator/items/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Reply["body"] };
  }
  const pathOf = (source: any) => source.path_collection.entries.map((e: any) => e.name).join("/"); // eslint-disable-line @typescript-eslint/no-explicit-any

  it("models folders and files with ids, parents and path_collection, root first and parent last", async () => {
    const invoices = emu.items.createFolder("Invoices").folder;
    const year = emu.items.createFolder("2026", invoices.id as string).folder;
    const { file, event } = emu.items.uploadFile("march.pdf", year.id as string, "%PDF-1.7 hello");
    should(event).match({ event_type: "ITEM_UPLOAD", source: { type: "file", id: file.id, parent: { id: year.id } } });
    should(pathOf(event.source)).equal("All Files/Invoices/2026");
    should(file).match({ size: 14, sha1: createHash("sha1").update("%PDF-1.7 hello").digest("hex") });
    should(emu.items.tree.require({ type: "file", id: file.id as string }).content?.toString()).equal("%PDF-1.7 hello");

    const got = await get(`/2.0/files/${file.id}`);
    should(got.status).equal(200);
    should(got.body).match({ type: "file", id: file.id, name: "march.pdf", size: 14, item_status: "active" });
    should(pathOf(got.body)).equal("All Files/Invoices/2026");
    should(got.body.path_collection.entries[0]).match({ id: "0", name: "All Files" });

    const picked = await get(`/2.0/folders/${year.id}?fields=path_collection,parent`);
    should(Object.keys(picked.body).sort()).eql(["etag", "id", "parent", "path_collection", "type"]);
    should(picked.body.parent).match({ id: invoices.id, name: "Invoices" });
    const root = await get("/2.0/folders/0");
    should(root.body).match({ id: "0", name: "All Files", parent: null, path_collection: { total_count: 0 } });
    should(root.body.item_collection.entries.map((e: any) => e.name)).eql(["Invoices"]); // eslint-disable-line @typescript-eslint/no-explicit-any
  });

  it("lists a folder: folders first, by name, up to 1000 per page with offset or marker paging", async () => {
    const big = emu.items.createFolder("Big").folder.id as string;
    for (let i = 0; i < 1203; i++) emu.items.tree.createFile(`f${String(i).padStart(4, "0")}.txt`, big, undefined, 10);
    emu.items.createFolder("zzz sub", big);
    const first = await get(`/2.0/folders/${big}/items?limit=5000`);
    should(first.body).match({ total_count: 1204, offset: 0, limit: 1000 });
    should(first.body.entries).have.length(1000);
    should(first.body.entries[0]).match({ type: "folder", name: "zzz sub" });
    should(first.body.entries[1]).match({ type: "file", name: "f0000.txt", sha1: /^[0-9a-f]{40}$/ });
    const rest = await get(`/2.0/folders/${big}/items?limit=1000&offset=1000&fields=name,size`);
    should(rest.body.entries).have.length(204);
    should(rest.body.entries[203]).eql({
      type: "file",
      id: rest.body.entries[203].id,
      etag: "0",
      name: "f1202.txt",
      size: 10,
    });
    const page1 = await get(`/2.0/folders/${big}/items?usemarker=true&limit=700`);
    should(page1.body.next_marker).be.a.String();
    const page2 = await get(`/2.0/folders/${big}/items?usemarker=true&limit=700&marker=${page1.body.next_marker}`);
    should(page2.body.entries).have.length(504);
    should(page2.body.next_marker).equal(null);
    should((await get(`/2.0/folders/${big}/items?offset=10001`)).status).equal(400);
  });

  it("moves, renames, trashes and restores, with the matching events", async () => {
    const a = emu.items.createFolder("A").folder.id as string;
    const b = emu.items.createFolder("B").folder.id as string;
    const file = emu.items.uploadFile("x.txt", a, "x").file;
    const ref = { type: "file" as const, id: file.id as string };
    should(pathOf(emu.items.move(ref, b).source)).equal("All Files/B");
    should(emu.items.rename(ref, "y.txt").source).match({ name: "y.txt", parent: { id: b } });
    const trashed = emu.items.trash(ref);
    should(trashed).match({ event_type: "ITEM_TRASH", source: { item_status: "trashed", parent: { id: b } } });
    should(pathOf(trashed.source)).equal("Trash");
    should((await get(`/2.0/folders/${b}/items`)).body.total_count).equal(0);
    should((await get(`/2.0/files/${file.id}`)).body).match({ item_status: "trashed" });
    should(pathOf(emu.items.restore(ref).source)).equal("All Files/B");
    emu.items.trash(ref);
    emu.items.purge(ref);
    should((await get(`/2.0/files/${file.id}`)).status).equal(404);
    should(() => emu.items.move({ type: "folder", id: a }, a)).throw(/into itself/);
    should(() => emu.items.createFolder("B")).throw(/already/);
  });

  it("makes comment, task, collaboration and partial sources that name the item elsewhere", () => {
    const folder = emu.items.createFolder("Docs").folder.id as string;
    const file = emu.items.uploadFile("a.txt", folder, "a").file.id as string;
    const comment = emu.items.comment(file, "nice");
    should(comment).match({
      event_type: "COMMENT_CREATE",
      source: { type: "comment", message: "nice", item: { type: "file", id: file } },
    });
    const [task, collab, mini] = emu.items.events([
      { ref: { type: "file", id: file }, eventType: "TASK_ASSIGNMENT_CREATE", shape: "task" },
      { ref: { type: "folder", id: folder }, eventType: "COLLAB_ADD_COLLABORATOR", shape: "collaboration" },
      { ref: { type: "file", id: file }, eventType: "ITEM_SHARED_CREATE", shape: "mini" },
    ]);
    should(task.source).match({ type: "task", item: { type: "file", id: file } });
    should(collab.source).match({ type: "collaboration", item: { type: "folder", id: folder } });
    should(mini.source).not.have.property("path_collection");
    should(mini.source).match({ type: "file", id: file, name: "a.txt" });
    should(
      emu
        .events()
        .slice(-3)
        .map((e) => e.event_id),
    ).eql([task, collab, mini].map((e) => e.event_id));
  });

  it("answers 404 and 403 for items the account cannot see or read, 401 without a token, and honours item faults", async () => {
    const file = emu.items.uploadFile("secret.txt").file.id as string;
    emu.items.setAccess({ type: "file", id: file }, "notFound");
    should(await get(`/2.0/files/${file}`)).match({ status: 404, body: { code: "not_found" } });
    emu.items.setAccess({ type: "file", id: file }, "forbidden");
    should(await get(`/2.0/files/${file}`)).match({
      status: 403,
      body: { code: "access_denied_insufficient_permissions" },
    });
    should((await get(`/2.0/files/${file}`, false)).status).equal(401);
    should((await get("/2.0/folders/999")).status).equal(404);
    emu.injectFault({ target: "items", kind: "status", status: 503, retryAfter: 1 });
    should((await get("/2.0/folders/0")).status).equal(503);
    should((await get("/2.0/folders/0")).status).equal(200);
  });

  it("offers the same through the control API", async () => {
    const folder = await control("folders", { name: "Via HTTP" });
    should(folder).match({ status: 201, body: { folder: { name: "Via HTTP" }, event: { event_type: "ITEM_CREATE" } } });
    const id = folder.body.folder.id as string;
    const bytes = Buffer.from([0, 1, 2, 255]);
    const file = await control("files", { name: "bin.dat", parent: id, contentBase64: bytes.toString("base64") });
    should(file.body.file).match({ size: 4, parent: { id } });
    should(emu.items.tree.require({ type: "file", id: file.body.file.id }).content).eql(bytes);
    const comment = await control("comment", { fileId: file.body.file.id, message: "hi" });
    should(comment.body.event.source).match({ type: "comment", item: { id: file.body.file.id } });
    const many = await control("events", { type: "file", id: file.body.file.id, event_type: "ITEM_PREVIEW", count: 3 });
    should(many.body.events).have.length(3);
    should((await control("trash", { type: "folder", id })).body.event).match({ event_type: "ITEM_TRASH" });
    should(await control("move", { type: "folder", id: "nope", parent: "0" })).match({
      status: 400,
      body: { error: /no folder/ },
    });
    should((await control("files", { name: "x", parent: id })).status).equal(400);
  });
});
