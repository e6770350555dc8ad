import type { ServerResponse, IncomingMessage } from "http";
import type { Fault, FaultTarget } from "./types";
import { sendBoxError, sendJson, sendText } from "./http-util";

const TARGETS: readonly FaultTarget[] = [
  "events",
  "options",
  "realtime",
  "token",
  "items",
  "content",
  "download",
  "any",
];
const KINDS: readonly Fault["kind"][] = ["reset", "hang", "status", "garbage", "message"];

/** Validates untrusted input (control API) into a Fault; throws with a readable message. */
export function parseFault(value: unknown): Fault {
  const v = (value ?? {}) as Record<string, unknown>;
  if (!TARGETS.includes(v.target as FaultTarget)) throw new Error(`fault.target must be one of ${TARGETS.join(", ")}`);
  if (!KINDS.includes(v.kind as Fault["kind"])) throw new Error(`fault.kind must be one of ${KINDS.join(", ")}`);
  const fault: Fault = { target: v.target as FaultTarget, kind: v.kind as Fault["kind"] };
  if (v.status !== undefined) {
    if (!Number.isInteger(v.status) || (v.status as number) < 100 || (v.status as number) > 599) {
      throw new Error("fault.status must be an HTTP status code");
    }
    fault.status = v.status as number;
  }
  if (v.retryAfter !== undefined) {
    if (typeof v.retryAfter !== "number" || v.retryAfter < 0) throw new Error("fault.retryAfter must be seconds >= 0");
    fault.retryAfter = v.retryAfter;
  }
  if (v.message !== undefined) {
    if (typeof v.message !== "string") throw new Error("fault.message must be a string");
    fault.message = v.message;
  }
  if (v.times !== undefined) {
    if (!Number.isInteger(v.times) || (v.times as number) < 1) throw new Error("fault.times must be an integer >= 1");
    fault.times = v.times as number;
  }
  return fault;
}

export class FaultQueue {
  private queue: { fault: Fault; left: number }[] = [];
  private readonly hung = new Set<ServerResponse>();

  add(fault: Fault): void {
    const f = parseFault(fault);
    this.queue.push({ fault: f, left: f.times ?? 1 });
  }

  clear(): void {
    this.queue = [];
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Consumes one use of the oldest fault matching this request, if any. */
  take(target: Exclude<FaultTarget, "any"> | null): Fault | undefined {
    const i = this.queue.findIndex((q) => q.fault.target === "any" || q.fault.target === target);
    if (i < 0) return undefined;
    const q = this.queue[i];
    if (--q.left <= 0) this.queue.splice(i, 1);
    return q.fault;
  }

  apply(fault: Fault, req: IncomingMessage, res: ServerResponse): void {
    switch (fault.kind) {
      case "reset":
        req.socket.destroy();
        return;
      case "hang":
        this.hung.add(res);
        res.on("close", () => this.hung.delete(res));
        return;
      case "garbage":
        sendText(res, 200, "<html>502 Bad Gateway</html>");
        return;
      case "message":
        sendJson(res, 200, { message: fault.message ?? "reconnect" });
        return;
      case "status": {
        const status = fault.status ?? 500;
        const headers = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : undefined;
        sendBoxError(res, status, `Injected fault: HTTP ${status}`, headers);
        return;
      }
    }
  }

  destroyHung(): void {
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
  }
}
