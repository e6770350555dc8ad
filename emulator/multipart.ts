/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename?: string;
  data: Buffer;
}

/** Splits a multipart/form-data body into its parts; undefined when it is not one. */
export function parseMultipart(body: Buffer, contentType: string | undefined): FormPart[] | undefined {
  const m = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? "");
  if (!m) return undefined;
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === "--") return parts;
    const next = body.indexOf(delimiter, at);
    if (next < 0) return undefined;
    const part = parsePart(body.subarray(at + 2, next - 2)); // without the CRLFs around it
    if (!part) return undefined;
    parts.push(part);
    at = next;
  }
}

function parsePart(raw: Buffer): FormPart | undefined {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const headers = raw.subarray(0, end).toString("utf8");
  const disposition = /^content-disposition:\s*form-data;(.*)$/im.exec(headers)?.[1] ?? "";
  const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
  if (name === undefined) return undefined;
  const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
  return { name, filename, data: raw.subarray(end + 4) };
}
