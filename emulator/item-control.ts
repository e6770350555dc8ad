import { type ItemActivity, SOURCE_SHAPES, type SourceShape } from "./item-activity";
import type { ItemAccess, ItemRef } from "./item-tree";

type Body = Record<string, unknown>;
const MAX_EVENTS = 10_000;
const ACCESS: readonly ItemAccess[] = ["ok", "notFound", "forbidden"];

/**
 * `POST /_emulator/items/<action>` with a JSON body: what people do with folders and files, each answered
 * with the changed item and the event Box records for it. Bad input answers 400 with the reason.
 */
export const ITEM_ACTIONS: Record<string, (activity: ItemActivity, body: Body) => unknown> = {
  folders: (a, b) => a.createFolder(str(b, "name"), optStr(b, "parent")),
  files: (a, b) => a.uploadFile(str(b, "name"), optStr(b, "parent"), content(b), optNum(b, "size")),
  versions: (a, b) => a.uploadVersion(str(b, "id"), content(b), optNum(b, "size")),
  move: (a, b) => ({ event: a.move(ref(b), str(b, "parent")) }),
  rename: (a, b) => ({ event: a.rename(ref(b), str(b, "name")) }),
  trash: (a, b) => ({ event: a.trash(ref(b)) }),
  restore: (a, b) => ({ event: a.restore(ref(b)) }),
  purge: (a, b) => (a.purge(ref(b)), { ok: true }),
  access: (a, b) => (a.setAccess(ref(b), oneOf(b, "access", ACCESS)), { ok: true }),
  comment: (a, b) => ({ event: a.comment(str(b, "fileId"), optStr(b, "message")) }),
  events: (a, b) => {
    const count = optNum(b, "count") ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_EVENTS)
      throw new Error(`count must be 1 to ${MAX_EVENTS}`);
    const spec = {
      ref: ref(b),
      eventType: str(b, "event_type"),
      shape: b.shape === undefined ? undefined : oneOf(b, "shape", SOURCE_SHAPES as SourceShape[]),
      message: optStr(b, "message"),
    };
    return { events: a.events(Array.from({ length: count }, () => spec)) };
  },
};

/** The answer to `POST /_emulator/items/<action>`: 201 with what was made, 200 otherwise, 400 with the reason. */
export function runItemAction(activity: ItemActivity, action: string, body: Body): { status: number; body: unknown } {
  try {
    const result = ITEM_ACTIONS[action](activity, body);
    return { status: action === "folders" || action === "files" ? 201 : 200, body: result };
  } catch (err) {
    return { status: 400, body: { error: (err as Error).message } };
  }
}

function str(body: Body, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value === "") throw new Error(`${key} must be a non-empty string`);
  return value;
}

function optStr(body: Body, key: string): string | undefined {
  return body[key] === undefined ? undefined : str(body, key);
}

function optNum(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new Error(`${key} must be a number >= 0`);
  return value;
}

function oneOf<T extends string>(body: Body, key: string, allowed: readonly T[]): T {
  if (!allowed.includes(body[key] as T)) throw new Error(`${key} must be one of ${allowed.join(", ")}`);
  return body[key] as T;
}

function ref(body: Body): ItemRef {
  return { type: oneOf(body, "type", ["file", "folder"] as const), id: str(body, "id") };
}

/** `content` as text, or `contentBase64` for bytes. */
function content(body: Body): Buffer | undefined {
  if (typeof body.contentBase64 === "string") return Buffer.from(body.contentBase64, "base64");
  return typeof body.content === "string" ? Buffer.from(body.content, "utf8") : undefined;
}
