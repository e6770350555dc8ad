import { getCurrentUser } from "../box/auth/current-user";
import { Admin, reasonOf, Request, Response, userOf } from "./admin-request";
import { dialogClient, DialogClient } from "./dialog-client";

/** Test connection: who the credentials sign in as. Never refreshes or writes the live OAuth 2 tokens. */
export async function handleTest(admin: Admin, req: Request, res: Response): Promise<void> {
  let client: DialogClient | undefined;
  try {
    client = await dialogClient(admin, req.body ?? {});
    res.json({ ok: true, user: userOf(await getCurrentUser(client.api)) });
  } catch (err) {
    res.json({ ok: false, reason: reasonOf(admin, err) });
  } finally {
    await client?.close();
  }
}
