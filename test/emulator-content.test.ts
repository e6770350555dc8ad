import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";

/** The emulator's downloads (through a second origin), uploads and shared links, as Box answers them. */
describe("emulator: file content and shared links", function () {
  let emu: BoxEmulator;
  let auth: Record<string, string>;

  beforeEach(async () => {
    emu = await startEmulator();
    auth = { authorization: `Bearer ${emu.issueToken()}` };
  });
  afterEach(() => emu.close());

  function form(parts: { name: string; filename?: string; data: string | Buffer }[]): { body: Buffer; type: string } {
    const b = "xYzBoundary";
    const chunks = parts.flatMap((p) => [
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="${p.name}"` +
          (p.filename ? `; filename="${p.filename}"` : "") +
          "\r\n\r\n",
      ),
      Buffer.from(p.data),
      Buffer.from("\r\n"),
    ]);
    return {
      body: Buffer.concat([...chunks, Buffer.from(`--${b}--\r\n`)]),
      type: `multipart/form-data; boundary=${b}`,
    };
  }
  const upload = (path: string, parts: Parameters<typeof form>[0]) => {
    const { body, type } = form(parts);
    // a copy as a plain Uint8Array: the DOM typings that @types/node-red brings want no Buffer
    return fetch(emu.apiUrl + path, {
      method: "POST",
      headers: { ...auth, "content-type": type },
      body: new Uint8Array(body),
    });
  };

  it("redirects a download to the download host, which serves the bytes for that URL only", async () => {
    const bytes = Buffer.from([0, 1, 2, 3, 250, 251]);
    const { file } = emu.items.uploadFile("a.bin", "0", bytes);
    const noToken = await fetch(`${emu.apiUrl}/2.0/files/${file.id}/content`, { redirect: "manual" });
    should(noToken.status).equal(401);
    const res = await fetch(`${emu.apiUrl}/2.0/files/${file.id}/content`, { headers: auth, redirect: "manual" });
    should(res.status).equal(302);
    const location = res.headers.get("location")!;
    should(new URL(location).origin).equal(emu.downloadUrl);
    should(new URL(location).origin).not.equal(emu.apiUrl);
    const download = await fetch(location);
    should(Buffer.from(await download.arrayBuffer()).equals(bytes)).be.true();
    should((await fetch(location.replace(/[0-9a-f]{48}/, "0".repeat(48)))).status).equal(404);
    should((await fetch(`${emu.apiUrl}/2.0/files/999/content`, { headers: auth, redirect: "manual" })).status).equal(
      404,
    );
  });

  it("takes uploads as Box's multipart form, records ITEM_UPLOAD, and refuses what Box refuses", async () => {
    const folder = emu.items.createFolder("In").folder.id as string;
    const attributes = JSON.stringify({ name: "x.pdf", parent: { id: folder } });
    const created = await upload("/api/2.0/files/content", [
      { name: "attributes", data: attributes },
      { name: "file", filename: "x.pdf", data: "%PDF x" },
    ]);
    should(created.status).equal(201);
    const entry = ((await created.json()) as { entries: Record<string, unknown>[] }).entries[0];
    should(entry).match({ type: "file", name: "x.pdf", size: 6, parent: { id: folder } });
    should(emu.events().at(-1)).match({ event_type: "ITEM_UPLOAD", source: { id: entry.id, name: "x.pdf" } });

    const again = await upload("/api/2.0/files/content", [
      { name: "attributes", data: attributes },
      { name: "file", filename: "x.pdf", data: "again" },
    ]);
    should(again.status).equal(409);
    should(await again.json()).match({ code: "item_name_in_use" });
    const wrongOrder = await upload("/api/2.0/files/content", [
      { name: "file", filename: "y.pdf", data: "y" },
      { name: "attributes", data: JSON.stringify({ name: "y.pdf", parent: { id: folder } }) },
    ]);
    should(wrongOrder.status).equal(400);
    const noFolder = await upload("/api/2.0/files/content", [
      { name: "attributes", data: JSON.stringify({ name: "z.pdf", parent: { id: "777" } }) },
      { name: "file", filename: "z.pdf", data: "z" },
    ]);
    should(noFolder.status).equal(404);

    const version = await upload(`/api/2.0/files/${entry.id}/content`, [
      { name: "attributes", data: "{}" },
      { name: "file", filename: "x.pdf", data: "%PDF version 2" },
    ]);
    should(version.status).equal(201);
    const updated = ((await version.json()) as { entries: Record<string, unknown>[] }).entries[0];
    should(updated).match({ id: entry.id, size: 14 });
    should(updated.sha1).not.equal(entry.sha1);
  });

  it("creates, keeps and removes a shared link with PUT /2.0/files/{id}", async () => {
    const { file } = emu.items.uploadFile("s.pdf", "0", "s");
    const put = (body: unknown) =>
      fetch(`${emu.apiUrl}/2.0/files/${file.id}?fields=shared_link`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ shared_link: Record<string, unknown> | null }>);
    const first = await put({ shared_link: { access: "open" } });
    should(first.shared_link).match({ access: "open", url: /^https:\/\/app\.box\.com\/s\/[0-9a-f]{32}$/ });
    const changed = await put({ shared_link: { access: "company" } });
    should(changed.shared_link).match({ access: "company", url: first.shared_link!.url });
    should((await put({ shared_link: null })).shared_link).be.null();
  });
});
