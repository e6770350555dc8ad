import type { BoxEvent } from "../box/events/events-api";
import type { ItemsApi } from "../box/folders/items-api";
import type { BackoffPolicy } from "../box/backoff";
import { BoxError } from "../box/errors";
import { reason } from "../box/reasons";
import { eventPath, FolderScope, ScopedEvent } from "../box/folders/folder-scope";
import { isId, ItemLookup, LOOKUP_FIELDS } from "../box/folders/item-lookup";

/** The folder a node is limited to, from its `folderId` and `includeSubfolders` properties. */
export interface FolderSetting {
  folderId: string;
  includeSubfolders: boolean;
}

/** `undefined` for the whole account; a `config` BoxError (no request made) for an ID that is not a number. */
export function folderSetting(def: { folderId?: unknown; includeSubfolders?: unknown }): FolderSetting | undefined {
  const folderId = typeof def.folderId === "string" ? def.folderId.trim() : "";
  if (folderId === "") return undefined;
  if (!isId(folderId)) throw new BoxError("config", reason("invalidFolderId"));
  return { folderId, includeSubfolders: def.includeSubfolders !== false };
}

export interface PageSelectorHooks {
  /** A lookup failed for a reason that may pass; the page waits and it is asked again. */
  onRetry(error: BoxError, delayMs: number): void;
  /** The page is decided after one or more retries. */
  onRecovered(): void;
  /** An event left out because its item's lookup can never succeed. */
  onLeftOut?(event: BoxEvent, error: BoxError): void;
  backoff?: BackoffPolicy;
}

/**
 * What the node sends of a page: with a folder, the events that belong (an undecided page is never
 * passed on: the call waits, and rejects only when the node stops); without, every event. Either way
 * with the path an event carries.
 */
export function pageSelector(
  setting: FolderSetting | undefined,
  api: Pick<ItemsApi, "getItem">,
  stopped: AbortSignal,
  hooks: PageSelectorHooks,
): (events: BoxEvent[]) => Promise<ScopedEvent[]> {
  if (!setting) return async (events) => events.map((event) => withPath(event, eventPath(event)));
  let retrying = false;
  const scope = new FolderScope({
    ...setting,
    lookup: new ItemLookup({ fetchItem: (ref, signal) => api.getItem(ref, LOOKUP_FIELDS, signal) }),
    backoff: hooks.backoff,
    onLeftOut: hooks.onLeftOut,
    onRetry: (error, delayMs) => {
      retrying = true;
      hooks.onRetry(error, delayMs);
    },
  });
  return async (events) => {
    const kept = await scope.select(events, stopped);
    if (retrying) {
      retrying = false;
      hooks.onRecovered();
    }
    return kept;
  };
}

function withPath(event: BoxEvent, path: string | undefined): ScopedEvent {
  return path === undefined ? { event } : { event, path };
}
