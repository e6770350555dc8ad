import { randomBytes } from "crypto";
import type { IncomingMessage, ServerResponse } from "http";
import type { ItemTree } from "./item-tree";
import { sendBoxError } from "./http-util";

/** Box's download URLs stay valid for about 15 minutes. */
const TICKET_LIFETIME_MS = 15 * 60_000;
const MAX_TICKETS = 1000;
const DOWNLOAD_ROUTE = /^\/d\/1\/([0-9a-f]{48})\/download$/;

/**
 * The one-time URLs `GET /2.0/files/{id}/content` redirects to. The download host is another origin (like Box's
 * dl.boxcloud.com): the ticket in the URL is the only credential it takes, so a client never needs to send it
 * the token.
 */
export class DownloadTickets {
  private readonly tickets = new Map<string, { fileId: string; versionId: string; expiresAt: number }>();

  constructor(private readonly baseUrl: () => string) {}

  url(fileId: string, versionId: string): string {
    if (this.tickets.size >= MAX_TICKETS) this.prune();
    const ticket = randomBytes(24).toString("hex");
    this.tickets.set(ticket, { fileId, versionId, expiresAt: Date.now() + TICKET_LIFETIME_MS });
    return `${this.baseUrl()}/d/1/${ticket}/download`;
  }

  /** The file and version a download URL was made for, while it is valid. */
  resolve(pathname: string): { fileId: string; versionId: string } | undefined {
    const ticket = DOWNLOAD_ROUTE.exec(pathname)?.[1];
    const entry = ticket === undefined ? undefined : this.tickets.get(ticket);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }

  private prune(): void {
    const now = Date.now();
    for (const [ticket, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(ticket);
    if (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value as string);
  }
}

/** The download host: the file's bytes for a valid URL, 404 otherwise. It ignores any Authorization header. */
export function handleDownload(
  tickets: DownloadTickets,
  tree: ItemTree,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  const entry = req.method === "GET" ? tickets.resolve(url.pathname) : undefined;
  const file = entry && tree.get({ type: "file", id: entry.fileId });
  if (!entry || !file || file.type !== "file" || file.versionId !== entry.versionId) {
    return sendBoxError(res, 404, "Not Found", undefined, "not_found");
  }
  // files recorded with only a size have no bytes of their own: serve that many
  const content = file.content ?? Buffer.alloc(file.size, "x");
  res.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": content.length,
    "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    etag: `"${file.versionId}"`,
  });
  res.end(content);
}
