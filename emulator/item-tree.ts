import { createHash } from "crypto";
import { boxTimestamp, demoUser, randomHex40 } from "./event-defaults";

export type ItemType = "file" | "folder";
export interface ItemRef {
  type: ItemType;
  id: string;
}
/** What a lookup of the item answers: as Box does for items the account cannot see (404) or may not read (403). */
export type ItemAccess = "ok" | "notFound" | "forbidden";

interface BaseItem {
  id: string;
  name: string;
  /** null only for the root folder "0" */
  parentId: string | null;
  sequence: number;
  createdAt: string;
  modifiedAt: string;
  trashedAt: string | null;
  access: ItemAccess;
  /** Box's shared link object, once one was created (`PUT /2.0/files/{id}`). */
  sharedLink?: Json | null;
}
export interface TreeFolder extends BaseItem {
  type: "folder";
}
export interface TreeFile extends BaseItem {
  type: "file";
  size: number;
  sha1: string;
  versionId: string;
  /** The bytes a download serves; files created with only a size have none. */
  content?: Buffer;
}
export type TreeItem = TreeFolder | TreeFile;
export type Json = Record<string, unknown>;

export const ROOT_ID = "0";
export const TRASH_ID = "1";
export const MAX_ITEMS_LIMIT = 1000;
const FIRST_FOLDER_ID = 400_000_000_001;
const FIRST_FILE_ID = 1_500_000_000_001;
const FIRST_VERSION_ID = 1_600_000_000_001;
/** Box's `GET /folders/{id}` embeds the first entries of the folder. */
const EMBEDDED_ENTRIES = 100;
const ORDER = [
  { by: "type", direction: "ASC" },
  { by: "name", direction: "ASC" },
];

/**
 * Folders and files as Box models them: ids (files and folders count separately), names, parents, the
 * path from "All Files" down, sizes and sha1s, versions, the trash. Rendering follows Box's JSON shapes.
 */
export class ItemTree {
  private readonly folders = new Map<string, TreeFolder>();
  private readonly files = new Map<string, TreeFile>();
  private nextFolderId = FIRST_FOLDER_ID;
  private nextFileId = FIRST_FILE_ID;
  private nextVersionId = FIRST_VERSION_ID;

  constructor(private readonly userId: string) {
    const now = boxTimestamp();
    this.folders.set(ROOT_ID, {
      type: "folder",
      id: ROOT_ID,
      name: "All Files",
      parentId: null,
      sequence: 0,
      createdAt: now,
      modifiedAt: now,
      trashedAt: null,
      access: "ok",
    });
  }

  get(ref: ItemRef): TreeItem | undefined {
    return ref.type === "folder" ? this.folders.get(ref.id) : this.files.get(ref.id);
  }

  /** The item, or an Error whose message says what is wrong (for the control API's 400/404 answers). */
  require<T extends ItemType>(ref: { type: T; id: string }): T extends "file" ? TreeFile : TreeFolder {
    const item = this.get(ref);
    if (!item) throw new Error(`no ${ref.type} ${ref.id}`);
    return item as T extends "file" ? TreeFile : TreeFolder;
  }

  createFolder(name: string, parentId = ROOT_ID): TreeFolder {
    const folder: TreeFolder = { type: "folder", ...this.newItem(name, parentId, this.nextFolderId++) };
    this.folders.set(folder.id, folder);
    return folder;
  }

  /** A new file; `content` sets size and sha1, otherwise `size` (default 1024) is recorded without bytes. */
  createFile(name: string, parentId = ROOT_ID, content?: Buffer, size?: number): TreeFile {
    const file: TreeFile = {
      type: "file",
      ...this.newItem(name, parentId, this.nextFileId++),
      size: 0,
      sha1: "",
      versionId: "",
    };
    this.setContent(file, content, size);
    this.files.set(file.id, file);
    return file;
  }

  /** What every new item starts with, in a live parent under a name not taken there. */
  private newItem(name: string, parentId: string, id: number): BaseItem {
    const parent = this.liveParent(parentId);
    this.checkName(name, parent.id);
    const now = boxTimestamp();
    return {
      id: String(id),
      name,
      parentId: parent.id,
      sequence: 0,
      createdAt: now,
      modifiedAt: now,
      trashedAt: null,
      access: "ok",
    };
  }

  /** A new version of a file (an upload to `/files/{id}/content`). */
  updateContent(id: string, content?: Buffer, size?: number): TreeFile {
    const file = this.require({ type: "file", id });
    this.setContent(file, content, size);
    this.touch(file);
    return file;
  }

  move(ref: ItemRef, parentId: string): TreeItem {
    const item = this.require(ref);
    const parent = this.liveParent(parentId);
    if (item.id === ROOT_ID) throw new Error("the root folder cannot move");
    if (item.type === "folder" && this.ancestorIds(parent).concat(parent.id).includes(item.id)) {
      throw new Error("a folder cannot move into itself");
    }
    this.checkName(item.name, parent.id);
    item.parentId = parent.id;
    this.touch(item);
    return item;
  }

  rename(ref: ItemRef, name: string): TreeItem {
    const item = this.require(ref);
    if (item.parentId !== null) this.checkName(name, item.parentId);
    item.name = name;
    this.touch(item);
    return item;
  }

  /** Moves an item (and with a folder, what it holds) to the trash; its parent is kept for a restore. */
  trash(ref: ItemRef): TreeItem {
    const item = this.require(ref);
    if (item.id === ROOT_ID && item.type === "folder") throw new Error("the root folder cannot be trashed");
    item.trashedAt = boxTimestamp();
    this.touch(item);
    return item;
  }

  restore(ref: ItemRef): TreeItem {
    const item = this.require(ref);
    item.trashedAt = null;
    this.touch(item);
    return item;
  }

  /** Deletes for good (purged from the trash): the item and everything in it are gone. */
  purge(ref: ItemRef): void {
    const item = this.require(ref);
    if (item.type === "file") {
      this.files.delete(item.id);
      return;
    }
    for (const child of this.childrenOf(item.id, true)) this.purge(child);
    this.folders.delete(item.id);
  }

  setAccess(ref: ItemRef, access: ItemAccess): void {
    this.require(ref).access = access;
  }

  /** Trashed itself or inside a trashed folder. */
  isTrashed(item: TreeItem): boolean {
    if (item.trashedAt !== null) return true;
    return this.ancestors(item).some((folder) => folder.trashedAt !== null);
  }

  /** Live children, folders first, each group by name (Box's default order). */
  childrenOf(folderId: string, includeTrashed = false): TreeItem[] {
    const pick = (item: TreeItem) => item.parentId === folderId && (includeTrashed || item.trashedAt === null);
    const byName = (a: TreeItem, b: TreeItem) => a.name.localeCompare(b.name) || Number(a.id) - Number(b.id);
    const folders = [...this.folders.values()].filter(pick).sort(byName);
    const files = [...this.files.values()].filter(pick).sort(byName);
    return [...folders, ...files];
  }

  /** Folders from "All Files" down to the item's parent. */
  ancestors(item: TreeItem): TreeFolder[] {
    const chain: TreeFolder[] = [];
    let parentId = item.parentId;
    while (parentId !== null) {
      const parent = this.folders.get(parentId);
      if (!parent || chain.includes(parent)) break;
      chain.unshift(parent);
      parentId = parent.parentId;
    }
    return chain;
  }

  /** Box's full JSON for the item; with `fields`, only those (and type, id, etag, as Box always sends). */
  toJson(item: TreeItem, fields?: readonly string[]): Json {
    const full = item.type === "file" ? this.fileJson(item) : this.folderJson(item);
    if (!fields || fields.length === 0) return full;
    const picked: Json = { type: full.type, id: full.id, etag: full.etag };
    for (const field of fields) if (field in full) picked[field] = full[field];
    return picked;
  }

  /** The short form Box uses inside other objects (entries, `parent`, `item`). */
  miniJson(item: TreeItem): Json {
    const mini: Json = { type: item.type, id: item.id, sequence_id: this.sequenceId(item), etag: this.etag(item) };
    if (item.type === "file") Object.assign(mini, { sha1: item.sha1, file_version: this.versionJson(item) });
    mini.name = item.name;
    return mini;
  }

  /** `GET /folders/{id}/items`: a page of the folder's live entries. */
  listing(folder: TreeFolder, offset: number, limit: number, fields?: readonly string[]): Json {
    const children = this.childrenOf(folder.id);
    const page = children.slice(offset, offset + limit);
    const entries = page.map((child) =>
      fields && fields.length > 0 ? this.toJson(child, fields) : this.miniJson(child),
    );
    return { total_count: children.length, entries, offset, limit, order: ORDER };
  }

  private fileJson(file: TreeFile): Json {
    return {
      ...this.common(file),
      sha1: file.sha1,
      file_version: this.versionJson(file),
      description: "",
      size: file.size,
      path_collection: this.pathCollection(file),
      ...this.dates(file),
      ...this.people(),
      shared_link: file.sharedLink ?? null,
      parent: this.parentJson(file),
      item_status: this.isTrashed(file) ? "trashed" : "active",
    };
  }

  private folderJson(folder: TreeFolder): Json {
    const children = folder.trashedAt === null ? this.childrenOf(folder.id) : [];
    return {
      ...this.common(folder),
      description: "",
      size: this.folderSize(folder),
      path_collection: this.pathCollection(folder),
      ...this.dates(folder),
      ...this.people(),
      shared_link: folder.sharedLink ?? null,
      folder_upload_email: null,
      parent: this.parentJson(folder),
      item_status: this.isTrashed(folder) ? "trashed" : "active",
      item_collection: {
        total_count: children.length,
        entries: children.slice(0, EMBEDDED_ENTRIES).map((child) => this.miniJson(child)),
        offset: 0,
        limit: EMBEDDED_ENTRIES,
        order: ORDER,
      },
    };
  }

  /** Root first, parent last; a trashed item's path is the trash, as Box shows it. */
  private pathCollection(item: TreeItem): Json {
    if (this.isTrashed(item)) {
      return {
        total_count: 1,
        entries: [{ type: "folder", id: TRASH_ID, sequence_id: null, etag: null, name: "Trash" }],
      };
    }
    const entries = this.ancestors(item).map((folder) => this.pathEntry(folder));
    return { total_count: entries.length, entries };
  }

  private pathEntry(folder: TreeFolder): Json {
    return {
      type: "folder",
      id: folder.id,
      sequence_id: this.sequenceId(folder),
      etag: this.etag(folder),
      name: folder.name,
    };
  }

  private parentJson(item: TreeItem): Json | null {
    const parent = item.parentId === null ? undefined : this.folders.get(item.parentId);
    return parent ? this.pathEntry(parent) : null;
  }

  private common(item: TreeItem): Json {
    return { type: item.type, id: item.id, sequence_id: this.sequenceId(item), etag: this.etag(item), name: item.name };
  }

  private dates(item: TreeItem): Json {
    return {
      created_at: item.createdAt,
      modified_at: item.modifiedAt,
      trashed_at: item.trashedAt,
      purged_at: null,
      content_created_at: item.createdAt,
      content_modified_at: item.modifiedAt,
    };
  }

  private people(): Json {
    const user = demoUser(this.userId);
    return { created_by: user, modified_by: user, owned_by: user };
  }

  private versionJson(file: TreeFile): Json {
    return { type: "file_version", id: file.versionId, sha1: file.sha1 };
  }

  private sequenceId(item: TreeItem): string | null {
    return item.id === ROOT_ID && item.type === "folder" ? null : String(item.sequence);
  }

  private etag(item: TreeItem): string | null {
    return this.sequenceId(item);
  }

  private folderSize(folder: TreeFolder): number {
    return this.childrenOf(folder.id).reduce(
      (sum, child) => sum + (child.type === "file" ? child.size : this.folderSize(child)),
      0,
    );
  }

  private setContent(file: TreeFile, content?: Buffer, size?: number): void {
    file.content = content;
    file.size = content ? content.length : Math.max(0, Math.floor(size ?? 1024));
    file.sha1 = content ? createHash("sha1").update(content).digest("hex") : randomHex40();
    file.versionId = String(this.nextVersionId++);
  }

  private touch(item: TreeItem): void {
    item.sequence++;
    item.modifiedAt = boxTimestamp();
  }

  private liveParent(parentId: string): TreeFolder {
    const parent = this.folders.get(parentId);
    if (!parent) throw new Error(`no folder ${parentId}`);
    if (this.isTrashed(parent)) throw new Error(`folder ${parentId} is in the trash`);
    return parent;
  }

  private ancestorIds(folder: TreeFolder): string[] {
    return this.ancestors(folder).map((f) => f.id);
  }

  /** Box refuses a second item of the same name in one folder (409 item_name_in_use). */
  private checkName(name: string, parentId: string): void {
    if (typeof name !== "string" || name.trim() === "" || /[/\\]/.test(name) || name.length > 255) {
      throw new Error("name must be 1-255 characters without / or \\");
    }
    if (this.childrenOf(parentId).some((child) => child.name === name)) {
      throw new Error(`an item named ${name} is already in folder ${parentId}`);
    }
  }
}
