import { AnswerType, ApiCallRequest, ApiMethod, DEFAULT_MAX_BYTES } from "./api-call";
import { BoxError } from "../errors";
import { checkedApiPath, renderPath } from "./path-template";
import { isUploadPath, uploadFileName } from "./upload-body";

/** The `box-api` node's properties (see the contract). */
export interface ApiNodeSettings {
  method?: ApiMethod | "use";
  path?: string;
  ret?: AnswerType;
  maxBytes?: number | string;
}

const METHODS: readonly string[] = ["GET", "POST", "PUT", "DELETE"];
const ANSWER_TYPES: readonly string[] = ["obj", "txt", "bin"];

/** What a message asks the node to do: a `config` BoxError (with a `code`) when it cannot be sent. */
export function buildApiRequest(settings: ApiNodeSettings, msg: Record<string, unknown>): ApiCallRequest {
  const method = (settings.method === "use" ? String(msg.method ?? "") : (settings.method ?? "GET")).toUpperCase();
  if (!METHODS.includes(method)) throw new BoxError("config", "invalid method", { code: "invalid_method" });
  const path = checkedApiPath(settings.path ? renderPath(settings.path, msg) : msg.apiPath);
  const request: ApiCallRequest = {
    method: method as ApiMethod,
    path,
    ret: ANSWER_TYPES.includes(settings.ret ?? "") ? (settings.ret as AnswerType) : "obj",
    maxBytes: maxBytesOf(settings.maxBytes),
  };
  if (method !== "POST" && method !== "PUT") return request;
  if (!Buffer.isBuffer(msg.payload)) return { ...request, body: msg.payload };
  if (method !== "POST" || typeof msg.filename !== "string") {
    throw new BoxError("config", "a Buffer payload is a file upload: POST with msg.filename", {
      code: "upload_needs_filename",
    });
  }
  if (!isUploadPath(path)) throw new BoxError("config", "not an upload path", { code: "upload_path" });
  return { ...request, upload: { filename: baseName(msg.filename), content: msg.payload, parentId: parentId(msg) } };
}

export function maxBytesOf(value: unknown): number {
  const n = typeof value === "string" ? Number(value.trim()) : value;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.floor(n) : DEFAULT_MAX_BYTES;
}

/** The name Box gives the file, from `msg.filename`. */
function baseName(filename: string): string {
  const name = uploadFileName(filename);
  if (!name) throw new BoxError("config", "msg.filename has no file name", { code: "upload_needs_filename" });
  return name;
}

/** The folder a new file goes to: `msg.parentId`, or the account's root folder "0" (All Files). */
function parentId(msg: Record<string, unknown>): string {
  const id = msg.parentId === undefined ? "0" : String(msg.parentId);
  if (!/^\d+$/.test(id))
    throw new BoxError("config", "msg.parentId must be a Box folder id", { code: "invalid_parent" });
  return id;
}
