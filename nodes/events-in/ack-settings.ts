import { BoxError } from "../box/errors";
import { reason } from "../box/reasons";

/** `ack: "flow"` settings, checked before any request. */
export interface AckSettings {
  maxInFlight: number;
  /** 0: only after a restart or redeploy */
  redeliverAfterMs: number;
}

export const DEFAULT_MAX_IN_FLIGHT = 100;
/**
 * The ledger keeps every unacknowledged message (and at most one page held): a bound on memory, and on what one
 * restart sends again.
 */
const MAX_MAX_IN_FLIGHT = 10_000;
/** A day: timers above 2^31 ms fire at once. */
const MAX_REDELIVER_AFTER_SEC = 86_400;

/** Undefined for `ack: "delivered"` (the default); a `config` BoxError for a value out of range. */
export function ackSettings(def: {
  ack?: unknown;
  maxInFlight?: unknown;
  redeliverAfter?: unknown;
}): AckSettings | undefined {
  if (def.ack !== "flow") return undefined;
  const maxInFlight = numberOr(def.maxInFlight, DEFAULT_MAX_IN_FLIGHT);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > MAX_MAX_IN_FLIGHT)
    throw new BoxError("config", reason("invalidMaxInFlight"));
  const seconds = numberOr(def.redeliverAfter, 0);
  if (!(seconds >= 0 && seconds <= MAX_REDELIVER_AFTER_SEC))
    throw new BoxError("config", reason("invalidRedeliverAfter"));
  return { maxInFlight, redeliverAfterMs: seconds * 1000 };
}

/** The dialog saves numbers; hand-edited flows may hold numeric strings. */
function numberOr(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "number") return value;
  return /^\s*\d+(\.\d+)?\s*$/.test(String(value)) ? Number(value) : NaN;
}
