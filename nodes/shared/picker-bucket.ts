import { createHash } from "crypto";
import { BoxError } from "../box/errors";
import { RateGate } from "../box/http/rate-gate";

/** A person clicking through folders needs a few listings a second; more is a script spending the user's quota. */
const PICKER_BURST = 5;
const PICKER_PER_SECOND = 2;
/** Keys come from requests: the map never grows past this. */
const MAX_BUCKETS = 100;

/** A token bucket for one config node's folder-picker requests, and the picker's own rate gate. */
export interface PickerBucket {
  take(): boolean;
  gate: RateGate;
}

const byRuntime = new WeakMap<object, Map<string, PickerBucket>>();

/**
 * One bucket per config node for both folder pickers (`GET box-events-in/folders` for a deployed config
 * node, `POST box-config/folders` for one still in its dialog): the same config node shares one budget.
 * `runtime` is the Node-RED runtime's admin app (`RED.httpAdmin`), one for every node module of a runtime.
 */
export function bucketFor(runtime: object, key: string): PickerBucket {
  let buckets = byRuntime.get(runtime);
  if (!buckets) byRuntime.set(runtime, (buckets = new Map()));
  const known = buckets.get(key);
  if (known) return known;
  if (buckets.size >= MAX_BUCKETS) buckets.clear();
  let tokens = PICKER_BURST;
  let at = Date.now();
  const bucket: PickerBucket = {
    gate: new RateGate(),
    take: () => {
      const now = Date.now();
      tokens = Math.min(PICKER_BURST, tokens + ((now - at) / 1000) * PICKER_PER_SECOND);
      at = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
  buckets.set(key, bucket);
  return bucket;
}

/** The picker got a 429: later clicks are told so at once instead of waiting out Box's `retry-after`. */
export function pickerPaused(): BoxError {
  return new BoxError("rateLimited", "folder picker paused by Box's retry-after");
}

/**
 * The bucket key of a dialog request: its config node id, or without one a hash of where and as whom it
 * browses (API URL, auth type, client id, subject), never a credential in clear.
 */
export function dialogBucketKey(body: Record<string, unknown>): string {
  if (typeof body.id === "string" && body.id !== "") return body.id;
  const credentials = (body.credentials ?? {}) as Record<string, unknown>;
  const parts = [body.apiBaseUrl, body.authType, credentials.clientId, body.subjectType, body.subjectId];
  const digest = createHash("sha256")
    .update(JSON.stringify(parts.map((p) => (typeof p === "string" ? p : ""))))
    .digest("hex");
  return `dialog:${digest.slice(0, 32)}`;
}
