/** What went wrong, as a value the stream can decide on (retry now, back off, wait for help). */
export type BoxErrorKind =
  | "unauthorized" // 401 after a fresh token, or a token grant refused: needs a person
  | "config" // the node is set up wrongly: no request was made
  | "rateLimited" // 429
  | "server" // 5xx
  | "network" // reset, refused, timeout
  | "protocol" // an answer that is not what Box sends (bad JSON, missing fields)
  | "request"; // another 4xx: Box refused what we asked

export class BoxError extends Error {
  constructor(
    readonly kind: BoxErrorKind,
    message: string,
    readonly details: {
      status?: number;
      code?: string;
      description?: string;
      retryAfterMs?: number;
      requestId?: string;
    } = {},
  ) {
    super(message);
    this.name = "BoxError";
  }

  /** Short text for a node status: the kind, or the Box error code when there is one. */
  get reason(): string {
    if (this.kind === "unauthorized" || this.kind === "config") return this.message;
    if (this.kind === "rateLimited") return "rate limited";
    if (this.kind === "network") return "network error";
    if (this.kind === "protocol") return "bad answer from Box";
    return this.details.status ? `HTTP ${this.details.status}` : this.kind;
  }

  /** True when retrying cannot help until someone changes the credentials or the config. */
  get needsHelp(): boolean {
    return this.kind === "unauthorized" || this.kind === "config";
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || (err as { code?: string }).code === "UND_ERR_ABORTED");
}
