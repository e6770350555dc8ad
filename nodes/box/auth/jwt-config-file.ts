import fs from "fs";
import { BoxError } from "../errors";
import { reason } from "../reasons";

/** Box's JWT config files are about 3 KB; anything near this is not one. */
const MAX_BYTES = 256 * 1024;
const CHUNK = 8 * 1024;
/** Never blocks on a FIFO or a device: open returns at once, and such a file is refused before any read. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * The JWT app config from a file on the Node-RED host (a mounted secret), read once at start. Only a
 * regular file is read, and at most MAX_BYTES + 1 bytes of it: `fstat` is not trusted for the size
 * (`/proc` files report 0 bytes and stream gigabytes). Trouble is a config error naming the property,
 * never the path (it may come from an environment variable) nor the content.
 */
export function readJwtConfigFile(file: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
    if (!fs.fstatSync(fd).isFile()) throw new BoxError("config", reason("jwtConfigFileInvalid"));
    // whole chunks (some /proc files refuse reads of odd sizes), until EOF or one byte past the cap
    const buffer = Buffer.alloc(MAX_BYTES + CHUNK);
    let length = 0;
    for (let n = 1; n > 0 && length <= MAX_BYTES; length += n) n = fs.readSync(fd, buffer, length, CHUNK, null);
    if (length > MAX_BYTES) throw new BoxError("config", reason("jwtConfigFileInvalid"));
    return buffer.toString("utf8", 0, length);
  } catch (err) {
    if (err instanceof BoxError) throw err;
    const code = (err as { code?: string }).code;
    throw new BoxError("config", reason("jwtConfigFileUnreadable", { code: code ?? "error" }));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
