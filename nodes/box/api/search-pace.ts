import { sleep } from "../sleep";

/** Box's search limit (about 60 a minute per user) is tighter than the API's: one search a second keeps under it. */
const SEARCH_SPACING_MS = 1000;
const paces = new WeakMap<object, SearchPace>();

/** Spaces one Box user's searches (all nodes of one config node share `owner`'s pace). */
export class SearchPace {
  private nextAt = 0;

  constructor(private readonly spacingMs = SEARCH_SPACING_MS) {}

  /** Resolves when this search may go out (or at once when `signal` aborts). */
  async wait(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.spacingMs;
    if (at > now) await sleep(at - now, signal);
  }
}

export function searchPaceFor(owner: object): SearchPace {
  let pace = paces.get(owner);
  if (!pace) paces.set(owner, (pace = new SearchPace()));
  return pace;
}
