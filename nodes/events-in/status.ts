import { BoxError } from "../box/errors";
import { StreamState } from "../box/events/event-stream";
import { NodeStatus } from "../shared/node-red-types";
import en from "./locales/en-US/box-events-in.json";

/** The status texts the node shows. */
export interface StatusTexts {
  /** A key under `box-events-in.status`. */
  status(key: "connecting" | "polling" | "reconnecting" | "failed" | "lookupRetrying" | "standby"): string;
  reason(error: BoxError): string;
}

/**
 * The contract's words, in English whatever the runtime's language: Status nodes and flows match them.
 * The editor shows them in each browser's language (the script in box-config.html).
 */
export const ENGLISH_STATUS: StatusTexts = {
  status: (key) => en["box-events-in"].status[key],
  reason: (error) => error.reason,
};

/** Green while a long poll is open, yellow (with the reason) while it reconnects, red when it needs help. */
export function streamStatus(state: StreamState, error: BoxError | undefined, texts: StatusTexts): NodeStatus {
  if (state === "polling") return { fill: "green", shape: "dot", text: texts.status("polling") };
  if (state === "failed")
    return { fill: "red", shape: "ring", text: error ? texts.reason(error) : texts.status("failed") };
  const text = texts.status(state === "connecting" ? "connecting" : "reconnecting");
  return { fill: "yellow", shape: "ring", text: error ? `${text}: ${texts.reason(error)}` : text };
}

/** Requests held at the config's rate gate after a 429 (this node's or another's): yellow, as a reconnect. */
export function rateWaitStatus(texts: StatusTexts): NodeStatus {
  const limited = new BoxError("rateLimited", "rate limited");
  return { fill: "yellow", shape: "ring", text: `${texts.status("reconnecting")}: ${texts.reason(limited)}` };
}

/** With a folder: an item lookup failed for a passing reason and is asked again (yellow, with the reason). */
export function lookupStatus(error: BoxError, texts: StatusTexts): NodeStatus {
  return { fill: "yellow", shape: "ring", text: `${texts.status("lookupRetrying")}: ${texts.reason(error)}` };
}
