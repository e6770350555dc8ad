import { ApiCallRequest, ApiCallResult } from "./api-call";
import { BoxError } from "../errors";
import { chunkedUpload, DIRECT_UPLOAD_MAX_BYTES } from "./chunked-upload";
import { Caller, download } from "./download";
import { listAllItems } from "./folder-listing";
import { OperationRequest } from "./operation-request";
import { SearchPace } from "./search-pace";

export interface OperationResult extends ApiCallResult {
  /** `file.download`: the Box file name. */
  filename?: string;
}

export interface RunOptions {
  /** An upload whose name is taken: fail naming the existing file (default), or upload a new version of it. */
  onConflict?: "error" | "version";
  searchPace?: SearchPace;
  signal?: AbortSignal;
}

/** Runs one operation's request: the one request path, with the few Box rules some operations need. */
export async function runOperation(
  caller: Caller,
  op: OperationRequest,
  options: RunOptions,
): Promise<OperationResult> {
  const request = { ...op.request, signal: options.signal };
  if (op.spec.answer === "download") return download(caller, request);
  if (op.spec.answer === "allPages") return listAllItems(caller, request);
  if (op.spec.upload) return firstEntry(await upload(caller, op, request, options));
  if (op.spec.id === "search") await options.searchPace?.wait(options.signal);
  if (op.spec.id === "file.setMetadata") return setMetadata(caller, request);
  return caller.call(request);
}

async function upload(
  caller: Caller,
  op: OperationRequest,
  request: ApiCallRequest,
  options: RunOptions,
): Promise<ApiCallResult> {
  const file = request.upload;
  if (!file) throw new BoxError("config", "no file to upload");
  const send = (fileId: string | undefined): Promise<ApiCallResult> => {
    if (file.content.length <= DIRECT_UPLOAD_MAX_BYTES) {
      return caller.call(fileId ? { ...request, path: `/2.0/files/${fileId}/content` } : request);
    }
    return chunkedUpload(caller, file, {
      fileId,
      headers: request.headers,
      signal: request.signal,
      maxBytes: request.maxBytes,
    });
  };
  const target = op.spec.upload === "version" ? op.values.fileId : undefined;
  try {
    return await send(target);
  } catch (err) {
    if (!(err instanceof BoxError) || err.details.status !== 409) throw err;
    const existing = err.details.conflictId;
    if (!existing || target) throw err;
    if (options.onConflict === "version") return send(existing);
    const said = err.details.description ? `${err.details.description}; ` : "";
    throw new BoxError(err.kind, err.message, { ...err.details, description: `${said}existing file ${existing}` });
  }
}

/** Box answers an upload with a list of one file: the message carries the file itself. */
function firstEntry(result: ApiCallResult): OperationResult {
  const entries = (result.payload as { entries?: unknown } | null)?.entries;
  return Array.isArray(entries) && entries.length > 0 ? { ...result, payload: entries[0] } : result;
}

/** Creates the metadata instance; when the file already has one (409), sets each key with a JSON Patch. */
async function setMetadata(caller: Caller, request: ApiCallRequest): Promise<ApiCallResult> {
  try {
    return await caller.call(request);
  } catch (err) {
    if (!(err instanceof BoxError) || err.details.status !== 409) throw err;
    const values = Object.entries(request.body as Record<string, unknown>).filter(([key]) => !key.startsWith("$"));
    const patch = values.map(([key, value]) => ({
      op: "add",
      path: `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`,
      value,
    }));
    return caller.call({
      ...request,
      method: "PUT",
      body: patch,
      headers: { ...request.headers, "content-type": "application/json-patch+json" },
    });
  }
}
