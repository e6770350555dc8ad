import fs from "fs";
import os from "os";
import path from "path";

const created: string[] = [];

/** A fresh folder under the system temp dir, removed when the test process exits. */
export function tempDir(prefix = "box-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (created.length === 0) process.once("exit", removeAll);
  created.push(dir);
  return dir;
}

function removeAll(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
