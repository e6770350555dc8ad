import should from "should";
import type { FolderView } from "../nodes/box/folders/folder-browser";
import { startEmulator, type BoxEmulator } from "../emulator";
import { eventFlow, helper, NODES } from "./support/node-helper";

describe("folder picker admin endpoint", function () {
  this.timeout(20_000);
  let emulator: BoxEmulator;
  let token: string;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator();
    token = emulator.issueToken();
    // only the config node is deployed: the events node is still being set up in the editor
    const { flow, credentials } = eventFlow(emulator, { token });
    await helper.load(
      NODES,
      flow.filter((n) => n.type !== "box-events-in"),
      credentials,
    );
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.close();
  });

  const browse = async (query: Record<string, string>) => {
    const res = await helper.request().get("/box-events-in/folders").query(query);
    should(res.text).not.containEql(token);
    // the picker's answer: a folder view, or ok: false with a reason
    return { status: res.status as number, body: res.body as FolderView & { ok: boolean; reason?: string } };
  };

  it("lists the folders of a folder with the deployed config node's token, and where the folder is", async () => {
    const invoices = emulator.items.createFolder("Invoices").folder.id as string;
    const year = emulator.items.createFolder("2026", invoices).folder.id as string;
    emulator.items.createFolder("Archive");
    emulator.items.uploadFile("readme.txt", "0", "hi");
    const root = await browse({ config: "cfg" });
    should(root).match({ status: 200, body: { ok: true, folder: { id: "0", name: "All Files", path: [] } } });
    should(root.body.folders).eql([
      { id: root.body.folders[0].id, name: "Archive" },
      { id: invoices, name: "Invoices" },
    ]);
    should(root.body).not.have.property("nextOffset");
    const nested = await browse({ config: "cfg", folder: year });
    should(nested.body).match({ ok: true, folder: { id: year, name: "2026" }, folders: [] });
    should(nested.body.folder.path).eql([
      { id: "0", name: "All Files" },
      { id: invoices, name: "Invoices" },
    ]);
    should(emulator.requests.every((r) => r.server !== "api" || r.authorization === `Bearer ${token}`)).be.true();
  });

  it("pages through a folder with more than 1,000 folders", async () => {
    const big = emulator.items.createFolder("Big").folder.id as string;
    for (let i = 0; i < 1005; i++) emulator.items.tree.createFolder(`sub ${String(i).padStart(4, "0")}`, big);
    const first = await browse({ config: "cfg", folder: big });
    should(first.body.folders).have.length(1000);
    should(first.body.nextOffset).equal(1000);
    const second = await browse({ config: "cfg", folder: big, offset: "1000" });
    should(second.body.folders.map((f: { name: string }) => f.name)).eql(
      [1000, 1001, 1002, 1003, 1004].map((i) => `sub ${i}`),
    );
    should(second.body).not.have.property("nextOffset");
  });

  it("says what is wrong: config node not deployed, a bad or unknown folder, Box refusing the token", async () => {
    should(await browse({ config: "nope" })).match({ status: 404, body: { ok: false, reason: "notDeployed" } });
    should(await browse({ config: "cfg", folder: "../users/me" })).match({
      status: 400,
      body: { reason: "invalidFolder" },
    });
    should(await browse({ config: "cfg", folder: "123" })).match({ body: { ok: false, reason: "notFound" } });
    emulator.revokeAllTokens();
    should(await browse({ config: "cfg" })).match({ body: { ok: false, reason: /unauthorized/ } });
  });

  describe("before the config node is deployed (POST box-config/folders, Test connection's rules)", () => {
    const browseWith = async (body: Record<string, unknown>) => {
      const res = await helper.request().post("/box-config/folders").send(body);
      should(res.text).not.containEql(token);
      return res.body as FolderView & { ok: boolean; reason?: string };
    };
    const dialog = (extra: Record<string, unknown>) => ({
      authType: "developerToken",
      apiBaseUrl: emulator.apiUrl,
      ...extra,
    });

    it("lists folders with the settings and token typed into a config dialog not deployed yet", async () => {
      const invoices = emulator.items.createFolder("Invoices").folder.id as string;
      const typed = emulator.issueToken();
      const root = await browseWith(dialog({ id: "new-cfg", credentials: { accessToken: typed } }));
      should(root).match({ ok: true, folder: { id: "0" } });
      should(root.folders).eql([{ id: invoices, name: "Invoices" }]);
      should(await browseWith(dialog({ id: "new-cfg", credentials: { accessToken: typed }, folder: "555" }))).match({
        ok: false,
        reason: "notFound",
      });
    });

    it("uses a stored token (__PWRD__) only toward the deployed node's own API URL", async () => {
      const stored = await browseWith(dialog({ id: "cfg", credentials: { accessToken: "__PWRD__" } }));
      should(stored).match({ ok: true, folder: { id: "0" } });
      const elsewhere = await browseWith(
        dialog({ id: "cfg", apiBaseUrl: "http://127.0.0.1:9", credentials: { accessToken: "__PWRD__" } }),
      );
      should(elsewhere).match({ ok: false, reason: /only sent to this node's own API URL/ });
    });
  });
});
