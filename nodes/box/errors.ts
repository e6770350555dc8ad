import { englishReason, Reason, reason } from "./reasons";

/** What went wrong, as a value the stream can decide on (retry now, back off, wait for help). */
export type BoxErrorKind =
  | "unauthorized" // 401 after a fresh token, or a token grant refused: needs a person
  | "config" // the node is set up wrongly: no request was made
  | "forbidden" // 403 on an enterprise stream: the token is not an enterprise admin's, needs a person
  | "rateLimited" // 429
  | "server" // 5xx
  | "network" // reset, refused, timeout
  | "proxy" // the proxy refused the request or hung up: retried with backoff
  | "certificate" // the server's certificate is not trusted, expired or for another name: needs a person
  | "protocol" // an answer that is not what Box sends (bad JSON, missing fields)
  | "request" // another 4xx: Box refused what we asked
  | "standby" // with coordination: another replica holds the stream's lease now; this one must stop emitting
  | "coordination" // with coordination: Redis cannot be reached or refused a command
  | "storage"; // the position could not be saved (the context store failed, e.g. a full disk): retried

export class BoxError extends Error {
  /** The reason the error was made with, when it names one (`config` and `unauthorized` errors do). */
  private readonly given?: Reason;

  constructor(
    readonly kind: BoxErrorKind,
    message: string | Reason,
    readonly details: {
      status?: number;
      code?: string;
      description?: string;
      retryAfterMs?: number;
      requestId?: string;
      /** 409: the id of the item already holding the name (Box's `context_info.conflicts`). */
      conflictId?: string;
    } = {},
  ) {
    super(typeof message === "string" ? message : englishReason(message));
    this.name = "BoxError";
    if (typeof message !== "string") this.given = message;
  }

  /** Short text for a node status, as a locale key: what was given, or one for the kind of failure. */
  get reasonKey(): Reason | undefined {
    switch (this.kind) {
      case "unauthorized":
      case "config":
      case "forbidden":
      case "proxy":
      case "certificate":
        return this.given;
      case "rateLimited":
        return reason("rateLimited");
      case "network":
        return reason("network");
      case "protocol":
        return reason("badAnswer");
      case "standby":
        return this.given ?? reason("standby");
      case "coordination":
        return this.given ?? reason("coordinationUnreachable");
      case "storage":
        return reason("positionNotSaved");
      default:
        return this.details.status ? reason("httpStatus", { status: this.details.status }) : reason(this.kind);
    }
  }

  /** The short reason in English (what flows match in `msg.payload.reason`). */
  get reason(): string {
    const key = this.reasonKey;
    return key ? englishReason(key) : this.message;
  }

  /** True when retrying cannot help until someone changes the credentials or the config. */
  get needsHelp(): boolean {
    if (this.kind === "proxy") return this.details.status === 407; // the proxy wants other credentials
    return (
      this.kind === "unauthorized" || this.kind === "config" || this.kind === "forbidden" || this.kind === "certificate"
    );
  }
}
