import { BoxError } from "../errors";

const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;
const KEY = /^[A-Za-z_$][\w$]*$|^\d+$/;
const FORBIDDEN_KEYS = new Set(["__proto__", "prototype", "constructor"]);

/**
 * Fills `{{a.b.c}}` placeholders of an API path with the message's properties. Only plain own properties
 * are read (no code runs, no prototype is reached) and each value becomes one URL-encoded path segment, so
 * a file name or id from an event can never add segments, a query, or a `..` that climbs the path.
 */
export function renderPath(template: string, msg: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_match, expression: string) =>
    pathSegment(expression, lookup(msg, expression)),
  );
}

function lookup(msg: Record<string, unknown>, expression: string): unknown {
  const keys = expression.split(".");
  let value: unknown = msg;
  for (const key of keys) {
    if (!KEY.test(key) || FORBIDDEN_KEYS.has(key)) throw pathError("invalid_placeholder", expression);
    if (value === null || typeof value !== "object" || !Object.prototype.hasOwnProperty.call(value, key)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function pathSegment(expression: string, value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
    throw pathError("missing_placeholder", expression);
  }
  const text = String(value);
  if (text === "" || text === "." || text === "..") throw pathError("invalid_placeholder", expression);
  return encodeURIComponent(text);
}

/**
 * An API path as the flow gives it (from the node or `msg.apiPath`): one of Box's API paths (`/2.0/...`, or
 * `/api/2.0/...` as the upload host writes them), with no scheme or host of its own, so the token cannot be
 * sent anywhere else, nor to the token endpoint. Anything else fails here rather than being sent to Box.
 */
export function checkedApiPath(path: unknown): string {
  if (typeof path !== "string" || path.trim() === "") throw pathError("missing_path");
  const trimmed = path.trim();
  if (!/^\/(api\/)?2\.0\//.test(trimmed) || /[\s\\]/.test(trimmed)) throw pathError("invalid_path");
  const segments = trimmed.split(/[?#]/)[0].split("/");
  if (segments.some((s) => /^(\.|%2e){1,2}$/i.test(s))) throw pathError("invalid_path");
  return trimmed;
}

function pathError(code: string, placeholder?: string): BoxError {
  const what = placeholder === undefined ? "" : ` {{${placeholder}}}`;
  return new BoxError("config", `${code.replace(/_/g, " ")}${what}`, { code, description: placeholder });
}
