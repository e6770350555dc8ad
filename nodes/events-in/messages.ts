import { BoxEvent } from "../box/events/events-api";
import { BoxError } from "../box/errors";
import { NodeMessage } from "../shared/node-red-types";

/** One message per Box event (the contract's output), with `path` (the item's folder) when it is known. */
export function eventMessage(event: BoxEvent, position: string, path?: string): NodeMessage {
  const msg: NodeMessage = { payload: event, topic: event.event_type, streamPosition: position };
  if (path !== undefined) msg.path = path;
  return msg;
}

/** What Catch nodes get with an error: the kind, the English reason flows match, and Box's details. */
export function errorMessage(error: BoxError): NodeMessage {
  return { topic: "error", payload: { kind: error.kind, reason: error.reason, ...error.details } };
}
