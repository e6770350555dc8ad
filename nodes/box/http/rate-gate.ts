import { MAX_DELAY_MS } from "../backoff";
import { HttpResponse, retryAfterMs } from "./http";
import { sleep } from "../sleep";

/** A 429 without `retry-after` still pauses everyone this long. */
const DEFAULT_PAUSE_MS = 1000;
/** Requests that waited go out spread over this long, so fifty nodes do not come back as one burst. */
const SPREAD_MS = 1000;

/** Told when a request through one view of the gate starts waiting, and when it may go. */
export interface GateWatcher {
  waiting?(): void;
  open?(): void;
}

/**
 * Box's rate limit (about 1,000 requests a minute) counts per user, and every node on one config node
 * acts as the same user. One gate per config node: a 429 that any node sees holds back the API requests
 * of all of them until Box's `retry-after` has passed, instead of each node finding the limit on its own.
 */
export class RateGate {
  constructor(
    private readonly shared: { openAt: number } = { openAt: 0 },
    private readonly watcher?: GateWatcher,
  ) {}

  /** The same gate, for one node: its watcher hears when that node's requests wait, so its status can say so. */
  watchedBy(watcher: GateWatcher): RateGate {
    return new RateGate(this.shared, watcher);
  }

  /** True while a 429's `retry-after` holds requests back. */
  get closed(): boolean {
    return Date.now() < this.shared.openAt;
  }

  /** Box answered 429: no request goes out for `retryAfterMs`, clamped as every other delay. */
  pause(retryAfterMs: number | undefined): void {
    const ms = Math.min(MAX_DELAY_MS, Math.max(0, retryAfterMs ?? DEFAULT_PAUSE_MS));
    this.shared.openAt = Math.max(this.shared.openAt, Date.now() + ms);
  }

  /** Sends once the gate is open; a 429 answer closes it for every node of the config for Box's `retry-after`. */
  async send<T extends Pick<HttpResponse, "status" | "headers">>(
    request: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    await this.wait(signal);
    const res = await request();
    if (res.status === 429) this.pause(retryAfterMs(res.headers));
    return res;
  }

  /** Resolves when a request may go out; rejects with the abort reason if `signal` aborts while it waits. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (Date.now() >= this.shared.openAt) return;
    const spread = Math.random() * SPREAD_MS;
    this.watcher?.waiting?.();
    try {
      for (let ms = this.shared.openAt - Date.now(); ms > 0; ms = this.shared.openAt - Date.now()) {
        await sleep(ms + spread, signal);
        if (signal?.aborted) throw signal.reason;
      }
    } finally {
      this.watcher?.open?.();
    }
  }
}
