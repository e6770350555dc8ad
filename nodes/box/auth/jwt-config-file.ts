import fs from "fs";
import { BoxError } from "../errors";
import { reason } from "../reasons";

/** Box's JWT config files are about 3 KB; anything near this is not one. */
const MAX_BYTES = 256 * 1024;

/**
 * The JWT app config from a file on the Node-RED host (a mounted secret), read once at start. Trouble is a
 * config error naming the path (never the content); whether the content is a JWT config is checked later.
 */
export function readJwtConfigFile(file: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_BYTES)
      throw new BoxError("config", reason("jwtConfigFileInvalid", { path: file }));
    return fs.readFileSync(fd, "utf8");
  } catch (err) {
    if (err instanceof BoxError) throw err;
    const code = (err as { code?: string }).code;
    throw new BoxError("config", reason("jwtConfigFileUnreadable", { path: file, code: code ?? "error" }));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
