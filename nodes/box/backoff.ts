import { BoxError } from "./errors";

export interface BackoffPolicy {
  /** First delay after a transient error (network, 5xx, bad body). */
  baseMs: number;
  /** Ceiling for transient errors. */
  maxMs: number;
  /** First delay when the stream needs help (401 after a fresh token): slow, so a dead token never storms Box. */
  helpBaseMs: number;
  helpMaxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, helpBaseMs: 30_000, helpMaxMs: 600_000 };

/** No pause is ever longer, whatever a server asks for: a `retry-after` of a month means "later", not "never". */
export const MAX_DELAY_MS = 600_000;

/** Exponential backoff with equal jitter; Box's `retry-after` wins when it asks for longer, up to MAX_DELAY_MS. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random = Math.random,
  ) {}

  reset(): void {
    this.failures = 0;
  }

  nextDelayMs(err: BoxError): number {
    const slow = err.needsHelp;
    const base = slow ? this.policy.helpBaseMs : this.policy.baseMs;
    const max = slow ? this.policy.helpMaxMs : this.policy.maxMs;
    const ceiling = Math.min(max, base * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const delay = ceiling / 2 + this.random() * (ceiling / 2);
    const retryAfter = Math.min(err.details.retryAfterMs ?? 0, MAX_DELAY_MS);
    return Math.min(MAX_DELAY_MS, Math.max(delay, retryAfter + this.random() * Math.min(1000, base)));
  }
}
