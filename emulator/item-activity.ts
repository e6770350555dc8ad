import { boxTimestamp, demoUser } from "./event-defaults";
import { ItemTree, type ItemAccess, type ItemRef, type Json, type TreeItem } from "./item-tree";
import type { BoxEvent } from "./types";

/**
 * How an event's `source` shows the item, as Box's events do:
 * - `item`: the file or folder itself with `parent` and `path_collection` (uploads, moves, trash, locks, ...)
 * - `mini`: the item without its path (a partial source: the client must look the item up)
 * - `comment`, `task`, `collaboration`: another object that names the item in `source.item`
 */
export type SourceShape = "item" | "mini" | "comment" | "task" | "collaboration";
export const SOURCE_SHAPES: readonly SourceShape[] = ["item", "mini", "comment", "task", "collaboration"];

export interface ItemEventSpec {
  ref: ItemRef;
  eventType: string;
  shape?: SourceShape;
  /** comment or task text */
  message?: string;
}

/**
 * Things people do in Box, each changing the item tree and recording the event Box would send, with
 * sources built from the tree (real `parent` and `path_collection`). Tests, the demo and the control API
 * drive the emulator's folders and files through this.
 */
export class ItemActivity {
  private nextObjectId = 9_000_000_001;

  constructor(
    readonly tree: ItemTree,
    private readonly append: (partials: Partial<BoxEvent>[]) => BoxEvent[],
    private readonly userId: string,
  ) {}

  createFolder(name: string, parentId?: string): { folder: Json; event: BoxEvent } {
    const folder = this.tree.createFolder(name, parentId);
    return { folder: this.tree.toJson(folder), event: this.emit(folder, "ITEM_CREATE") };
  }

  /** A new file in a folder; `content` (bytes or text) sets size and sha1, `size` alone records no bytes. */
  uploadFile(
    name: string,
    parentId?: string,
    content?: Buffer | string,
    size?: number,
  ): { file: Json; event: BoxEvent } {
    const file = this.tree.createFile(name, parentId, toBuffer(content), size);
    return { file: this.tree.toJson(file), event: this.emit(file, "ITEM_UPLOAD") };
  }

  /** A new version of an existing file. */
  uploadVersion(fileId: string, content?: Buffer | string, size?: number): { file: Json; event: BoxEvent } {
    const file = this.tree.updateContent(fileId, toBuffer(content), size);
    return { file: this.tree.toJson(file), event: this.emit(file, "ITEM_UPLOAD") };
  }

  move(ref: ItemRef, parentId: string): BoxEvent {
    return this.emit(this.tree.move(ref, parentId), "ITEM_MOVE");
  }

  rename(ref: ItemRef, name: string): BoxEvent {
    return this.emit(this.tree.rename(ref, name), "ITEM_RENAME");
  }

  trash(ref: ItemRef): BoxEvent {
    return this.emit(this.tree.trash(ref), "ITEM_TRASH");
  }

  restore(ref: ItemRef): BoxEvent {
    return this.emit(this.tree.restore(ref), "ITEM_UNDELETE_VIA_TRASH");
  }

  /** Deleted for good: Box sends no event for a purge, and lookups answer 404 from now on. */
  purge(ref: ItemRef): void {
    this.tree.purge(ref);
  }

  /** A comment on a file: the source is the comment, the file only in `source.item`. */
  comment(fileId: string, message = "Looks good"): BoxEvent {
    return this.events([
      { ref: { type: "file", id: fileId }, eventType: "COMMENT_CREATE", shape: "comment", message },
    ])[0];
  }

  /** What the account may see of an item from now on (lookups answer 404 or 403 otherwise). */
  setAccess(ref: ItemRef, access: ItemAccess): void {
    this.tree.setAccess(ref, access);
  }

  /** Events about existing items without changing them (previews, downloads, locks, comments, ...), in one batch. */
  events(specs: readonly ItemEventSpec[]): BoxEvent[] {
    const partials = specs.map((spec) => {
      const item = this.tree.get(spec.ref);
      if (!item) throw new Error(`no ${spec.ref.type} ${spec.ref.id}`);
      return { event_type: spec.eventType, source: this.source(item, spec.shape ?? "item", spec.message) };
    });
    return this.append(partials);
  }

  private emit(item: TreeItem, eventType: string): BoxEvent {
    return this.append([{ event_type: eventType, source: this.source(item, "item") }])[0];
  }

  private source(item: TreeItem, shape: SourceShape, message = ""): Json {
    if (shape === "item") return this.tree.toJson(item);
    if (shape === "mini") return this.tree.miniJson(item);
    const now = boxTimestamp();
    const user = demoUser(this.userId);
    const base = { type: shape, id: String(this.nextObjectId++), created_by: user, created_at: now };
    if (shape === "comment") {
      return { ...base, is_reply_comment: false, message, modified_at: now, item: { type: item.type, id: item.id } };
    }
    if (shape === "task") {
      return { ...base, item: this.tree.miniJson(item), due_at: null, action: "review", message, is_completed: false };
    }
    return {
      ...base,
      modified_at: now,
      expires_at: null,
      status: "accepted",
      role: "editor",
      accessible_by: user,
      item: this.tree.miniJson(item),
    };
  }
}

function toBuffer(content: Buffer | string | undefined): Buffer | undefined {
  return typeof content === "string" ? Buffer.from(content, "utf8") : content;
}
