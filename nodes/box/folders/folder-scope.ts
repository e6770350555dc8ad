import { Backoff, BackoffPolicy, DEFAULT_BACKOFF } from "../backoff";
import type { BoxEvent } from "../events/events-api";
import { BoxError } from "../errors";
import { ItemLookup, ItemPlace, ItemRef, ItemType, isId, placeOf } from "./item-lookup";

/** An event with what the scope learnt about it on the way. */
export interface ScopedEvent {
  event: BoxEvent;
  /** The folder the item is in, e.g. "All Files/Invoices/2026", when Box told it. */
  path?: string;
}

export interface FolderScopeOptions {
  folderId: string;
  /** false: only the folder itself and its direct children */
  includeSubfolders: boolean;
  lookup: ItemLookup;
  backoff?: BackoffPolicy;
  /** A lookup failed for a reason that may pass (network, 5xx, 429, token): it is retried after `delayMs`. */
  onRetry?(error: BoxError, delayMs: number): void;
  /** A lookup that no retry can fix (an oversize or malformed answer): the event is left out. */
  onLeftOut?(event: BoxEvent, error: BoxError): void;
}

type Verdict = { member: boolean; path?: string };

const ITEM_TYPES: readonly string[] = ["file", "folder", "web_link"];
/** Events after which what is remembered below a folder may be wrong. */
const FOLDER_CHANGES = new Set(["ITEM_MOVE", "ITEM_RENAME", "ITEM_TRASH", "ITEM_UNDELETE_VIA_TRASH", "ITEM_COPY"]);
const OUT: Verdict = { member: false };

/**
 * Keeps the events about one folder and the items inside it, in Box's order. Membership comes from the
 * event when it can (the source's path or parent, or the source being the folder); otherwise the item is
 * looked up once. An item Box will not show (404, 403) is left out; a lookup that fails for a passing
 * reason is retried until it answers, so no event is decided on a guess.
 */
export class FolderScope {
  private readonly backoff: Backoff;

  constructor(private readonly options: FolderScopeOptions) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
  }

  /** The events that belong, in order. Rejects only when `signal` aborts (then nothing of the page is decided). */
  async select(events: readonly BoxEvent[], signal: AbortSignal): Promise<ScopedEvent[]> {
    const kept: ScopedEvent[] = [];
    for (const event of events) {
      const verdict = await this.decideWithRetry(event, signal);
      if (verdict.member) kept.push(verdict.path === undefined ? { event } : { event, path: verdict.path });
    }
    return kept;
  }

  private async decideWithRetry(event: BoxEvent, signal: AbortSignal): Promise<Verdict> {
    for (;;) {
      signal.throwIfAborted();
      try {
        const verdict = await this.decide(event, signal);
        this.backoff.reset();
        return verdict;
      } catch (err) {
        signal.throwIfAborted();
        const error = err instanceof BoxError ? err : new BoxError("protocol", String(err));
        // Box's answer about this one item is unreadable: asking again gets the same, and would hold the page
        if (isUnreadableAnswer(error)) {
          this.options.onLeftOut?.(event, error);
          return OUT;
        }
        const delay = this.backoff.nextDelayMs(error);
        this.options.onRetry?.(error, delay);
        await sleep(delay, signal);
      }
    }
  }

  private async decide(event: BoxEvent, signal: AbortSignal): Promise<Verdict> {
    const found = itemOf(event.source);
    if (!found) return OUT;
    const { ref, json } = found;
    let place = placeOf(json);
    if (ref.type === "folder" && FOLDER_CHANGES.has(String(event.event_type))) this.options.lookup.forgetBelow(ref.id);
    if (place.kind === "path") this.options.lookup.remember(ref, place);
    if (ref.type === "folder" && ref.id === this.options.folderId) return { member: true, path: pathText(place) };
    if (place.kind === "unknown") place = await this.options.lookup.place(ref, signal);
    return this.judge(place, signal);
  }

  private async judge(place: ItemPlace, signal: AbortSignal): Promise<Verdict> {
    const { folderId, includeSubfolders } = this.options;
    if (place.kind === "path") {
      const inside = includeSubfolders ? place.ids.includes(folderId) : place.ids[place.ids.length - 1] === folderId;
      return inside ? { member: true, path: pathText(place) } : OUT;
    }
    if (place.kind !== "parent") return OUT;
    if (place.parentId === folderId) return { member: true };
    if (!includeSubfolders) return OUT;
    // an item in the trash names only its parent: where that folder is decides
    const parent = await this.options.lookup.place({ type: "folder", id: place.parentId }, signal);
    if (parent.kind !== "path") return OUT;
    return this.judge(
      { kind: "path", ids: [...parent.ids, place.parentId], names: [...parent.names, parent.name ?? ""] },
      signal,
    );
  }
}

/**
 * The file, folder or web link an event is about: the source itself, the item a comment, task, ... names,
 * or Box's `EventSource` shape (`item_type`, `item_id`, `item_name`, `parent`), which has no `type`/`id`.
 */
export function itemOf(source: unknown): { ref: ItemRef; json: Record<string, unknown> } | undefined {
  const asItem = (value: unknown) => {
    const v = value as Record<string, unknown> | null | undefined;
    if (!v || typeof v !== "object" || !ITEM_TYPES.includes(v.type as string) || !isId(v.id)) return undefined;
    return { ref: { type: v.type as ItemType, id: v.id }, json: v };
  };
  return asItem(source) ?? asItem((source as { item?: unknown } | null | undefined)?.item) ?? asEventSource(source);
}

function asEventSource(source: unknown): { ref: ItemRef; json: Record<string, unknown> } | undefined {
  const v = source as Record<string, unknown> | null | undefined;
  if (!v || typeof v !== "object" || (v.item_type !== "file" && v.item_type !== "folder") || !isId(v.item_id))
    return undefined;
  return { ref: { type: v.item_type, id: v.item_id }, json: { name: v.item_name, parent: v.parent } };
}

/** Box answered (2xx) with a body over the cap or not JSON: the same answer comes on every retry. */
function isUnreadableAnswer(error: BoxError): boolean {
  const status = error.details.status;
  return error.kind === "protocol" && status !== undefined && status >= 200 && status < 300;
}

/** "All Files/Invoices/2026": the folders from the top down to the item's parent. */
export function pathText(place: ItemPlace): string | undefined {
  return place.kind === "path" && place.names.length > 0 ? place.names.join("/") : undefined;
}

/** The path an event carries (no lookup), for messages of a node without a folder scope. */
export function eventPath(event: BoxEvent): string | undefined {
  const found = itemOf(event.source);
  return found ? pathText(placeOf(found.json)) : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
