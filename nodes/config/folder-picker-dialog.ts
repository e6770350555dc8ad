import { ItemsApi } from "../box/folders/items-api";
import { BoxError } from "../box/errors";
import { browseFolder } from "../box/folders/folder-browser";
import { isId } from "../box/folders/item-lookup";
import { Admin, reasonOf, Request, Response } from "./admin-request";
import { dialogClient, DialogClient } from "./dialog-client";
import { bucketFor, dialogBucketKey, pickerPaused } from "../shared/picker-bucket";

const PICKER_TIMEOUT_MS = 15_000;
const MAX_OFFSET = 100_000;

/**
 * `POST {httpAdminRoot}/box-config/folders`: the events dialog's folder picker for a config node that is
 * new or changed and not deployed yet. The body is Test connection's (the config dialog's settings and
 * credentials, `__PWRD__` for a stored one) plus `folder` and `offset`, under Test connection's rules.
 * Answers the folder view, or `{ok: false, reason}` with a `box-events-in.picker.*` key or a reason text.
 * It shares the deployed picker's bucket per config node (`busy`, 429, beyond the burst) and its rate gate:
 * a 429 Box gives the picker pauses the picker, not the flows.
 */
export async function handleFolders(admin: Admin, req: Request, res: Response): Promise<void> {
  const body = req.body ?? {};
  const folderId = typeof body.folder === "string" && body.folder !== "" ? body.folder : "0";
  const offset = Number(body.offset ?? 0);
  if (!isId(folderId) || !Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    return res.status(400).json({ ok: false, reason: "invalidFolder" });
  }
  const bucket = bucketFor(admin.RED.httpAdmin, dialogBucketKey(body));
  if (!bucket.take()) return res.status(429).json({ ok: false, reason: "busy" });
  let client: DialogClient | undefined;
  try {
    if (bucket.gate.closed) throw pickerPaused();
    client = await dialogClient(admin, body, PICKER_TIMEOUT_MS, bucket.gate);
    res.json({ ok: true, ...(await browseFolder(new ItemsApi(client.api), folderId, offset)) });
  } catch (err) {
    const notFound = err instanceof BoxError && err.details.status === 404;
    res.json({ ok: false, reason: notFound ? "notFound" : reasonOf(admin, err) });
  } finally {
    await client?.close();
  }
}
