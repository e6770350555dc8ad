import { BoxError } from "../errors";

export type ItemType = "file" | "folder" | "web_link";
export interface ItemRef {
  type: ItemType;
  id: string;
}

/**
 * Where an item is, as far as Box told us:
 * - `path`: the folders from "All Files" down to its parent (ids and names), and its own name
 * - `parent`: only the parent folder is known (an item in the trash shows the trash as its path)
 * - `gone`: Box answered 404 or 403 (deleted, or the account cannot see it)
 * - `unknown`: the answer carried neither
 */
export type ItemPlace =
  | { kind: "path"; ids: string[]; names: string[]; name?: string }
  | { kind: "parent"; parentId: string }
  | { kind: "gone" }
  | { kind: "unknown" };

export type FetchItem = (ref: ItemRef, signal?: AbortSignal) => Promise<Record<string, unknown>>;

export interface ItemLookupOptions {
  fetchItem: FetchItem;
  /** How many items are remembered; the least recently used one goes first. */
  capacity?: number;
  /** How long a looked-up place is trusted when no event says it changed. */
  ttlMs?: number;
  now?: () => number;
}

export const DEFAULT_LOOKUP_CAPACITY = 1000;
export const DEFAULT_LOOKUP_TTL_MS = 10 * 60_000;
const MAX_PATH_DEPTH = 200;
const MAX_NAME_LENGTH = 1024;
const TRASH_ID = "1";

/** The `fields` a lookup asks for: enough to place the item, nothing more. */
export const LOOKUP_FIELDS = ["name", "parent", "path_collection"] as const;

/**
 * Looks items up once and remembers where they are, within a bound (least recently used out first, and
 * a time limit). Events that carry an item's path refresh what is remembered without a request.
 */
export class ItemLookup {
  private readonly places = new Map<string, { place: ItemPlace; at: number }>();
  private readonly capacity: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Requests made so far (for tests and the benchmark). */
  requests = 0;

  constructor(private readonly options: ItemLookupOptions) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_LOOKUP_CAPACITY);
    this.ttlMs = options.ttlMs ?? DEFAULT_LOOKUP_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.places.size;
  }

  /** Where the item is: remembered, or asked of Box once. Throws a BoxError when Box could not answer. */
  async place(ref: ItemRef, signal?: AbortSignal): Promise<ItemPlace> {
    const k = key(ref);
    const hit = this.places.get(k);
    if (hit && this.now() - hit.at < this.ttlMs) {
      this.places.delete(k);
      this.places.set(k, hit);
      return hit.place;
    }
    this.requests++;
    let place: ItemPlace;
    try {
      place = placeOf(await this.options.fetchItem(ref, signal));
    } catch (err) {
      if (!isUnreachableItem(err)) throw err;
      place = { kind: "gone" };
    }
    this.remember(ref, place);
    return place;
  }

  remember(ref: ItemRef, place: ItemPlace): void {
    const k = key(ref);
    this.places.delete(k);
    this.places.set(k, { place, at: this.now() });
    while (this.places.size > this.capacity) this.places.delete(this.places.keys().next().value as string);
  }

  /** A folder moved, was renamed or trashed: what is remembered below it is no longer true. */
  forgetBelow(folderId: string): void {
    for (const [k, { place }] of this.places) {
      if (
        place.kind === "path" ? place.ids.includes(folderId) : place.kind === "parent" && place.parentId === folderId
      ) {
        this.places.delete(k);
      }
    }
    this.places.delete(key({ type: "folder", id: folderId }));
  }
}

/** 404, 403 and Box's other refusals: asking again will not help. */
function isUnreachableItem(err: unknown): boolean {
  return err instanceof BoxError && err.kind === "request";
}

function key(ref: ItemRef): string {
  return `${ref.type}:${ref.id}`;
}

/** Reads an item's place from its JSON (an event's source or a lookup's answer), treating it as untrusted. */
export function placeOf(item: Record<string, unknown>): ItemPlace {
  const name = typeof item.name === "string" ? item.name.slice(0, MAX_NAME_LENGTH) : undefined;
  const path = pathEntries(item.path_collection);
  const inTrash = path !== undefined && path.length > 0 && path[0].id === TRASH_ID;
  if (path && !inTrash) return { kind: "path", ids: path.map((e) => e.id), names: path.map((e) => e.name), name };
  const parent = item.parent as { id?: unknown } | null | undefined;
  if (parent && typeof parent === "object" && isId(parent.id)) return { kind: "parent", parentId: parent.id };
  return { kind: "unknown" };
}

function pathEntries(value: unknown): { id: string; name: string }[] | undefined {
  const entries = (value as { entries?: unknown } | null | undefined)?.entries;
  if (!Array.isArray(entries) || entries.length > MAX_PATH_DEPTH) return undefined;
  const out: { id: string; name: string }[] = [];
  for (const entry of entries) {
    const e = entry as { id?: unknown; name?: unknown } | null;
    if (!e || !isId(e.id)) return undefined;
    out.push({ id: e.id, name: typeof e.name === "string" ? e.name.slice(0, MAX_NAME_LENGTH) : "" });
  }
  return out;
}

export function isId(value: unknown): value is string {
  return typeof value === "string" && /^\d{1,30}$/.test(value);
}
