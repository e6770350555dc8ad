import { ApiCallRequest } from "./api-call";
import { BoxError } from "../errors";
import { messageItem } from "./event-item";
import { FieldName, FieldValues, ID_FIELDS, OperationSpec } from "./operations";
import { uploadFileName } from "./upload-body";

/** One message's request for an operation: what goes to Box, and the field values it was made from. */
export interface OperationRequest {
  spec: OperationSpec;
  values: FieldValues;
  request: ApiCallRequest;
}

const ACCESS = ["open", "company", "collaborators"];
const METADATA_SCOPE = /^(global|enterprise|enterprise_\d{1,20})$/;
const TEMPLATE_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const MAX_NAME = 255;

/**
 * The request an operation makes for a message. Item fields left empty take the item of the incoming
 * Box event; every value is checked before anything is sent (a `config` BoxError with a `code` and the
 * field's name in `description` otherwise).
 */
export function buildOperationRequest(
  spec: OperationSpec,
  given: FieldValues,
  msg: Record<string, unknown>,
  maxBytes: number,
): OperationRequest {
  const values = withEventItem(spec, given, msg);
  for (const field of spec.required) if (!values[field]) throw fieldError("missing_field", field);
  checkValues(values);
  const query = spec.query ? `?${new URLSearchParams(spec.query(values))}` : "";
  const request: ApiCallRequest = {
    method: spec.method,
    path: renderFields(spec.path, values) + query,
    ret: spec.answer === "download" ? "bin" : "obj",
    maxBytes,
  };
  if (values.asUser) request.headers = { "as-user": values.asUser };
  if (spec.body) request.body = spec.body(values, msg.payload);
  if (spec.id === "file.setMetadata" && !isPlainObject(request.body)) throw fieldError("metadata_payload", "payload");
  if (spec.upload) request.upload = uploadFile(spec.upload, values, msg);
  return { spec, values, request };
}

/** Item fields absent or empty: the event's file (`fileId`), folder (`folderId`), and its folder (`parentId`). */
function withEventItem(spec: OperationSpec, given: FieldValues, msg: Record<string, unknown>): FieldValues {
  const values: FieldValues = {};
  for (const [field, value] of Object.entries(given) as [FieldName, string | undefined][]) {
    if (value !== undefined && value.trim() !== "") values[field] = value.trim();
  }
  const item = messageItem(msg);
  if (!item) return values;
  const uses = (field: FieldName) => spec.fields.includes(field) && !values[field];
  if (uses("fileId") && item.type === "file") values.fileId = item.id;
  if (uses("folderId") && item.type === "folder") values.folderId = item.id;
  if (uses("parentId")) values.parentId = item.type === "folder" ? item.id : item.parentId;
  return values;
}

function checkValues(values: FieldValues): void {
  for (const field of ID_FIELDS) {
    const value = values[field];
    if (value !== undefined && !/^\d{1,20}$/.test(value)) throw fieldError("invalid_id", field);
  }
  if (values.access !== undefined && !ACCESS.includes(values.access)) throw fieldError("invalid_access", "access");
  if (values.scope !== undefined && !METADATA_SCOPE.test(values.scope)) throw fieldError("invalid_field", "scope");
  if (values.templateKey !== undefined && !TEMPLATE_KEY.test(values.templateKey)) {
    throw fieldError("invalid_field", "templateKey");
  }
  if (values.name !== undefined && (values.name.length > MAX_NAME || /[/\\]/.test(values.name))) {
    throw fieldError("invalid_name", "name");
  }
}

/** `{field}` in a path: the checked value, one URL-encoded segment. */
function renderFields(path: string, values: FieldValues): string {
  return path.replace(/\{(\w+)\}/g, (_m, field: FieldName) => encodeURIComponent(values[field] ?? ""));
}

/** The file to send: `msg.payload` (a Buffer, or a string as UTF-8), named by `msg.filename` or the `name` field. */
function uploadFile(kind: "file" | "version", values: FieldValues, msg: Record<string, unknown>) {
  const content =
    typeof msg.payload === "string"
      ? Buffer.from(msg.payload, "utf8")
      : Buffer.isBuffer(msg.payload)
        ? msg.payload
        : null;
  if (!content) throw fieldError("upload_payload", "payload");
  const filename = typeof msg.filename === "string" && msg.filename.trim() ? baseName(msg.filename) : values.name;
  if (kind === "file" && !filename) throw fieldError("upload_needs_name", "name");
  return { filename: filename ?? "", content, parentId: values.parentId ?? "" };
}

/** The name Box gives the file, from `msg.filename`, at most as long as Box allows. */
function baseName(filename: string): string | undefined {
  return uploadFileName(filename)?.slice(0, MAX_NAME);
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function fieldError(code: string, field: string): BoxError {
  return new BoxError("config", `${code.replace(/_/g, " ")}: ${field}`, { code, description: field });
}
