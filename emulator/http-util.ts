import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from "http";
import type { Socket } from "net";
import { randomBytes } from "crypto";

export const MAX_BODY_BYTES = 1024 * 1024;

export function sendText(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) return;
  const buf = Buffer.from(body, "utf8");
  res.writeHead(status, { "content-type": "application/json", "content-length": buf.length, ...headers });
  res.end(buf);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers?: OutgoingHttpHeaders): void {
  sendText(res, status, JSON.stringify(value), headers);
}

export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "access_denied_insufficient_permissions";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "request_entity_too_large";
    case 429:
      return "rate_limit_exceeded";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal_server_error" : "bad_request";
  }
}

export function sendBoxError(
  res: ServerResponse,
  status: number,
  message: string,
  headers?: OutgoingHttpHeaders,
  code = codeForStatus(status),
  contextInfo: Record<string, unknown> = {},
): void {
  sendJson(
    res,
    status,
    {
      type: "error",
      status,
      code,
      message,
      context_info: contextInfo,
      help_url: "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/",
      request_id: randomBytes(8).toString("hex"),
    },
    headers,
  );
}

/** Resolves with the body text, or undefined when the client went away or a 413 was already sent. */
export async function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  return (await readBodyBytes(req, res, MAX_BODY_BYTES))?.toString("utf8");
}

/** The body as bytes, up to `maxBytes` (413 past it); undefined when the client went away or a 413 was sent. */
export function readBodyBytes(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const tooBig = (): void => {
      res.setHeader("connection", "close");
      sendBoxError(res, 413, `Request body exceeds ${maxBytes} bytes`);
      req.resume();
      resolve(undefined);
    };
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) return tooBig();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        chunks.length = 0;
        tooBig();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("close", () => {
      if (!done) {
        done = true;
        resolve(undefined);
      }
    });
  });
}

/** The body as a JSON object (`{}` when empty); `fail` answers anything else, in the caller's error shape. */
export async function readJsonObject(
  req: IncomingMessage,
  res: ServerResponse,
  fail: (status: number, message: string) => void,
): Promise<Record<string, unknown> | undefined> {
  const text = await readBody(req, res);
  if (text === undefined) return undefined;
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  fail(400, "body must be a JSON object");
  return undefined;
}

/** Open sockets of a server, each with a promise that settles on its 'close'. */
export function trackSockets(server: Server): Map<Socket, Promise<void>> {
  const sockets = new Map<Socket, Promise<void>>();
  server.on("connection", (socket: Socket) => {
    sockets.set(
      socket,
      new Promise((resolve) =>
        socket.once("close", () => {
          sockets.delete(socket);
          resolve();
        }),
      ),
    );
  });
  return sockets;
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

/** Stops listening, ends every connection and resolves once all of them have emitted 'close'. */
export async function closeServer(server: Server, sockets: Map<Socket, Promise<void>>): Promise<void> {
  const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const gone = [...sockets.values()];
  server.closeAllConnections();
  for (const s of sockets.keys()) s.destroy();
  await Promise.all([stopped, ...gone]);
}

/** Token from `Authorization: Bearer <token>`, scheme matched case-insensitively. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return m ? m[1] : undefined;
}
