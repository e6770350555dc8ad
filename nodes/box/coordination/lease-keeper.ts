import { BoxError } from "../errors";
import { reason } from "../reasons";
import { Lease } from "./lease";

/** After a failed renew, try again this soon: the lease has TTL/2 to be confirmed. */
const RETRY_AFTER_FAILURE_MS = 250;

export interface KeptLease {
  /** Aborts when the lease is lost (reason: a `standby` BoxError) or could not be confirmed in time (`coordination`). */
  lost: AbortSignal;
  /** Stops renewing (the lease itself is released separately). */
  stop(): void;
}

/**
 * Renews a held lease every TTL/3 and signals its loss: at once when Redis says another replica holds it, and when
 * no renew succeeded within TTL/2 (Redis unreachable, the process paused), before the lease can expire elsewhere.
 */
export function keepLease(lease: Lease): KeptLease {
  const controller = new AbortController();
  let renewTimer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearTimeout(renewTimer);
    clearTimeout(deadline);
  };
  const lose = (error: BoxError) => {
    stop();
    if (!controller.signal.aborted) controller.abort(error);
  };
  const armDeadline = () => {
    clearTimeout(deadline);
    deadline = setTimeout(
      () => (lease.safe() ? armDeadline() : lose(new BoxError("coordination", reason("coordinationUnreachable")))),
      Math.max(0, lease.safeUntil - Date.now()),
    );
  };
  const renew = async () => {
    let next = RETRY_AFTER_FAILURE_MS;
    try {
      if (!(await lease.renew())) return lose(new BoxError("standby", reason("standby")));
      armDeadline();
      next = lease.ttlMs / 3;
    } catch {
      // Redis did not answer: the deadline decides whether the lease is still safe
    }
    if (!stopped) renewTimer = setTimeout(() => void renew(), next);
  };
  armDeadline();
  renewTimer = setTimeout(() => void renew(), lease.ttlMs / 3);
  return { lost: controller.signal, stop };
}
