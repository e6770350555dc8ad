import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { DeveloperTokenSource } from "../nodes/box/auth/token-source";
import { BoxClient } from "../nodes/box/http/box-client";
import { ItemsApi } from "../nodes/box/folders/items-api";
import { BoxEvent } from "../nodes/box/events/events-api";
import { BoxError } from "../nodes/box/errors";
import { FolderScope } from "../nodes/box/folders/folder-scope";
import { ItemLookup, LOOKUP_FIELDS } from "../nodes/box/folders/item-lookup";
import { NO_PROXY } from "../nodes/box/http/proxy-settings";
import { FAST_BACKOFF } from "./support/stream-harness";

describe("folder scope and item lookups", function () {
  this.timeout(20_000);
  let emulator: BoxEmulator;
  let api: ItemsApi;

  beforeEach(async () => {
    emulator = await startEmulator();
    api = new ItemsApi(
      new BoxClient({
        apiBaseUrl: emulator.apiUrl,
        tokens: new DeveloperTokenSource(emulator.issueToken()),
        proxy: NO_PROXY,
      }),
    );
  });
  afterEach(async () => {
    await api.client.close();
    await emulator.close();
  });

  const lookupRequests = () => emulator.requests.filter((r) => /^\/2\.0\/(files|folders)\//.test(r.path)).length;
  const newLookup = (capacity?: number) =>
    new ItemLookup({ fetchItem: (ref, signal) => api.getItem(ref, LOOKUP_FIELDS, signal), capacity });
  const ids = (events: { event: BoxEvent }[]) => events.map((e) => e.event.event_id);

  function tree() {
    const folder = emulator.items.createFolder("Invoices").folder.id as string;
    const files = Array.from({ length: 10 }, (_, i) => emulator.items.uploadFile(`f${i}.pdf`, folder, `${i}`).file);
    const other = emulator.items.createFolder("Other").folder.id as string;
    const foreign = emulator.items.uploadFile("x.pdf", other, "x").file.id as string;
    return { folder, files: files.map((f) => f.id as string), foreign };
  }

  it("makes at most 10 lookups for 1,000 comments on the same 10 files, and keeps each in order", async () => {
    const { folder, files } = tree();
    const events = emulator.items.events(
      Array.from({ length: 1000 }, (_, i) => ({
        ref: { type: "file" as const, id: files[i % 10] },
        eventType: "COMMENT_CREATE",
        shape: "comment" as const,
      })),
    );
    emulator.clearRequests();
    const scope = new FolderScope({ folderId: folder, includeSubfolders: true, lookup: newLookup() });
    const kept = await scope.select(events, new AbortController().signal);
    should(lookupRequests()).be.belowOrEqual(10);
    should(ids(kept)).eql(events.map((e) => e.event_id));
    should(kept[0].path).equal("All Files/Invoices");
  });

  it("leaves out comments on files outside the folder, after one lookup each", async () => {
    const { folder, files, foreign } = tree();
    const events = [files[0], foreign, files[1], foreign].map((id) => emulator.items.comment(id));
    emulator.clearRequests();
    const scope = new FolderScope({ folderId: folder, includeSubfolders: true, lookup: newLookup() });
    should(ids(await scope.select(events, new AbortController().signal))).eql(
      [events[0], events[2]].map((e) => e.event_id),
    );
    should(lookupRequests()).equal(3);
  });

  it("treats a malformed path as unknown and asks Box; ignores sources that name no Box item", async () => {
    const { folder, files } = tree();
    const scope = new FolderScope({ folderId: folder, includeSubfolders: true, lookup: newLookup() });
    const forged = {
      event_id: "forged",
      event_type: "ITEM_UPLOAD",
      source: { type: "file", id: files[0], path_collection: { entries: [{ id: 42 }, { id: folder }] } },
    };
    const odd = [
      { event_id: "no-id", source: { type: "file", id: "../users/me" } },
      { event_id: "user", source: { type: "user", id: "200002" } },
      { event_id: "null", source: null },
      { event_id: "item-no-id", source: { type: "comment", item: { type: "file" } } },
    ];
    emulator.clearRequests();
    const kept = await scope.select([forged, ...odd], new AbortController().signal);
    should(ids(kept)).eql(["forged"]);
    should(kept[0].path).equal("All Files/Invoices");
    should(lookupRequests()).equal(1);
  });

  it("keeps its memory within the bound, least recently used out first", async () => {
    const { folder, files } = tree();
    const lookup = newLookup(3);
    const scope = new FolderScope({ folderId: folder, includeSubfolders: true, lookup });
    const comments = files.slice(0, 5).map((id) => emulator.items.comment(id));
    emulator.clearRequests();
    await scope.select(comments, new AbortController().signal);
    should(lookup.size).equal(3);
    should(lookupRequests()).equal(5);
    await scope.select(
      [emulator.items.comment(files[4]), emulator.items.comment(files[0])],
      new AbortController().signal,
    );
    should(lookupRequests()).equal(6); // file 4 was remembered, file 0 had been pushed out
    should(lookup.size).equal(3);
  });

  it("learns places from events that carry them, and forgets what lies below a moved folder", async () => {
    const { folder, files } = tree();
    const lookup = newLookup();
    const scope = new FolderScope({ folderId: folder, includeSubfolders: true, lookup });
    const sub = emulator.items.createFolder("2026", folder).folder.id as string;
    const moved = emulator.items.move({ type: "file", id: files[0] }, sub);
    emulator.clearRequests();
    const kept = await scope.select([moved, emulator.items.comment(files[0])], new AbortController().signal);
    should(lookupRequests()).equal(0);
    should(kept.map((k) => k.path)).eql(["All Files/Invoices/2026", "All Files/Invoices/2026"]);
    const away = emulator.items.move({ type: "folder", id: sub }, "0");
    const after = await scope.select([away, emulator.items.comment(files[0])], new AbortController().signal);
    should(after).have.length(0);
    should(lookupRequests()).equal(1);
  });

  it("leaves out items Box answers 404 or 403 for, and retries a 503 until Box answers", async () => {
    const { folder, files } = tree();
    const retries: BoxError[] = [];
    const scope = new FolderScope({
      folderId: folder,
      includeSubfolders: true,
      lookup: newLookup(),
      backoff: FAST_BACKOFF,
      onRetry: (err) => retries.push(err),
    });
    emulator.items.setAccess({ type: "file", id: files[1] }, "notFound");
    emulator.items.setAccess({ type: "file", id: files[2] }, "forbidden");
    const events = [files[1], files[2], files[3]].map((id) => emulator.items.comment(id));
    emulator.injectFault({ target: "items", kind: "status", status: 503, times: 1 });
    emulator.injectFault({ target: "items", kind: "reset", times: 1 });
    const kept = await scope.select(events, new AbortController().signal);
    should(ids(kept)).eql([events[2].event_id]);
    should(retries.map((e) => e.kind)).eql(["server", "network"]);
  });

  it("stops retrying when aborted and decides nothing", async () => {
    const { folder, files } = tree();
    const controller = new AbortController();
    let retries = 0;
    const scope = new FolderScope({
      folderId: folder,
      includeSubfolders: true,
      lookup: newLookup(),
      backoff: FAST_BACKOFF,
      onRetry: () => void (++retries === 2 && controller.abort()),
    });
    emulator.injectFault({ target: "items", kind: "status", status: 500, times: 1000 });
    await should(scope.select([emulator.items.comment(files[0])], controller.signal)).be.rejected();
    should(retries).equal(2);
  });
});
