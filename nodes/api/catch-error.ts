import { TokenRequestError } from "../box/auth/token-endpoint";
import { BoxError } from "../box/errors";
import { ReasonArgs } from "../box/reasons";
import en from "./locales/en-US/box-api.json";

export type Translate = (key: string, values?: ReasonArgs) => string;

/** The error a Catch node gets: the status, Box's code and request_id in the message; all of them in `cause`. */
export function errorForCatch(t: Translate, err: unknown, reasons: (err: BoxError) => string): Error {
  if (!(err instanceof BoxError)) return err instanceof Error ? err : new Error(String(err));
  const { status, code, requestId, description, conflictId } = err.details;
  if (notBoxAnswer(err))
    return Object.assign(new Error(err.reason, { cause: { status, code } }), { code: code ?? err.kind });
  if (status !== undefined && code !== "tooLarge") {
    const message = t("errors.http", { status, code: code ?? "-", requestId: requestId ?? "-" });
    const cause = { status, code, message: description, request_id: requestId, ...(conflictId ? { conflictId } : {}) };
    return Object.assign(new Error(description ? `${message}: ${description}` : message, { cause }), {
      code: code ?? `HTTP ${status}`,
    });
  }
  return Object.assign(new Error(ownMessage(t, err) ?? reasons(err)), { code: code ?? err.kind });
}

/** The node's short status for a failure: the HTTP status and Box's code, or the reason itself. */
export function statusForFailure(t: Translate, err: unknown, reasons: (err: BoxError) => string): string {
  if (!(err instanceof BoxError)) return t("status.failed");
  const { status, code } = err.details;
  if (status !== undefined && code !== "tooLarge" && !notBoxAnswer(err)) {
    return code ? `${t("status.httpStatus", { status })} ${code}` : t("status.httpStatus", { status });
  }
  const text = ownMessage(t, err) ?? reasons(err);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Our own errors carry their detail (the placeholder, the field, the size cap) in `description`. */
function ownMessage(t: Translate, err: BoxError): string | undefined {
  const { code, description } = err.details;
  if (code === undefined || !(code in en["box-api"].errors)) return undefined;
  const detail = description ?? "";
  return t(`errors.${code}`, { placeholder: detail, max: detail, field: detail });
}

/** A proxy's refusal or a refused sign-in is not Box's answer to the call: say what failed, not the HTTP status. */
function notBoxAnswer(err: BoxError): boolean {
  return err.kind === "proxy" || err instanceof TokenRequestError;
}
