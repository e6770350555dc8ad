import { BoxError } from "../box/errors";
import { Reason, REASONS_NAMESPACE } from "../box/reasons";
import { NodeAPI } from "./node-red-types";

/**
 * A text from the node's locale file in the runtime's language; the English text when the key is
 * missing (the test helper's `RED._` answers every key with the key itself).
 */
export function translated(translate: NodeAPI["_"], key: string, english: string, args?: Reason["args"]): string {
  const text = translate(key, args);
  return typeof text === "string" && text && text !== key ? text : english;
}

/** A BoxError's short reason in the runtime's language (the keys live in box-config's locale file). */
export function reasonText(translate: NodeAPI["_"], err: BoxError): string {
  const reason = err.reasonKey;
  return reason ? translated(translate, `${REASONS_NAMESPACE}.${reason.key}`, err.reason, reason.args) : err.reason;
}
