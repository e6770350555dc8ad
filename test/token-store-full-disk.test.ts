import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";
import should from "should";
import { KeySources, TokenStore } from "../nodes/box/auth/token-store";
import { tempDir } from "./support/temp-dir";
import { waitFor } from "./support/wait";

/** A store instance of its own (as a new process would have), bypassing the one-per-directory cache. */
const openStore = (dir: string, keys: KeySources) =>
  new (TokenStore as unknown as new (dir: string, keys: KeySources) => TokenStore)(dir, keys);

/** A 64 KiB tmpfs: a real full disk. Needs the right to mount (root in a container); skipped otherwise. */
function smallDisk(): string | undefined {
  const dir = tempDir("box-full-disk-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    return undefined;
  }
}

describe("auth: the token store on a full disk", function () {
  let disk: string | undefined;

  afterEach(() => {
    if (disk) execFileSync("umount", [disk]);
    disk = undefined;
  });

  it("leaves no temp file after a failed save, and writes the rotated token once there is room again", async function () {
    disk = smallDisk();
    if (!disk) return this.skip();
    const keys = { credentialSecret: "s3cret" };
    const store = openStore(disk, keys);
    await store.put("cfg", { clientId: "c", refreshToken: "refresh-1", updatedAt: Date.now() });
    const filler = path.join(disk, "filler");
    try {
      fs.writeFileSync(filler, Buffer.alloc(128 * 1024)); // fills the disk, and fails once it is full
    } catch {
      // ENOSPC: the disk is full now
    }
    const rotated = { clientId: "c", refreshToken: "refresh-2-rotated", updatedAt: Date.now() };
    const failed = await store.put("cfg", rotated).then(
      () => undefined,
      (err: NodeJS.ErrnoException) => err,
    );
    should(failed?.code).equal("ENOSPC");
    should(fs.readdirSync(disk).filter((name) => name.endsWith(".tmp"))).eql([], "no temp file left behind");
    fs.unlinkSync(filler);
    // no further change to the store: the retry alone writes what a restart would need
    await waitFor(
      async () => (await openStore(disk!, keys).get("cfg"))?.refreshToken === "refresh-2-rotated",
      "the rotated refresh token on disk",
    );
  });
});
