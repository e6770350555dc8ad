import { randomBytes } from "crypto";
import { DEFAULT_API_BASE_URL } from "../http/api-origin";

/** A file to upload: a new file in a folder, or a new version of an existing file (`fileId`). */
export interface UploadFile {
  filename: string;
  content: Buffer;
  parentId: string;
}

/** Box's upload paths, as the API reference writes them with or without the upload host's `/api` prefix. */
const UPLOAD_PATH = /^(?:\/api)?\/2\.0\/files\/(\d+\/)?content(?:\?.*)?$/;

export function isUploadPath(path: string): boolean {
  return UPLOAD_PATH.test(path);
}

/** `/2.0/files/{id}/content` uploads a new version of that file; `/2.0/files/content` a new file. */
export function isNewVersionPath(path: string): boolean {
  return UPLOAD_PATH.exec(path)?.[1] !== undefined;
}

/**
 * Where an upload goes: Box's API takes uploads only on its upload host; the emulator, or a proxy in front of
 * Box, takes them on the API's own origin. Either way under `/api/2.0/...`, as on Box's upload host.
 */
export function uploadUrl(apiOrigin: string, path: string): string {
  const origin = apiOrigin === DEFAULT_API_BASE_URL ? "https://upload.box.com" : apiOrigin;
  return `${origin}/api${path.replace(/^\/api/, "")}`;
}

/** Box's multipart form: the `attributes` JSON part first (Box requires that order), then the file. */
export function multipartBody(file: UploadFile, newVersion: boolean): { body: Buffer; contentType: string } {
  const boundary = `----box-api-${randomBytes(12).toString("hex")}`;
  // a new version keeps the file's name unless one is given
  const attributes = newVersion
    ? file.filename
      ? { name: file.filename }
      : {}
    : { name: file.filename, parent: { id: file.parentId } };
  // the header's filename is only a label (Box names the file from the attributes): keep it one safe line
  // eslint-disable-next-line no-control-regex
  const label = (file.filename || "file").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\]/g, "_");
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="attributes"\r\n\r\n${JSON.stringify(attributes)}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${label}"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, "utf8"), file.content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** C0 and C1 controls (NUL, CR, LF, NEL, ...) and Unicode's line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * The name Box gives an uploaded file: the last part of `msg.filename` (a path on the Node-RED host is common
 * there), across line separators too, without control characters; undefined when nothing is left.
 */
export function uploadFileName(filename: string): string | undefined {
  const name = filename
    .replace(/^[\s\S]*[\\/]/, "")
    .replace(CONTROL_CHARACTERS, "")
    .trim();
  return name || undefined;
}
