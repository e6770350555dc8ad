import { randomBytes, randomInt } from "crypto";
import type { BoxEvent } from "./types";

let pool = Buffer.alloc(0);
let poolAt = 0;

/** 40 random hex digits (the shape of Box event ids and sha1s), drawn from a pooled buffer for bursts. */
export function randomHex40(): string {
  if (poolAt + 20 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 20;
  return pool.toString("hex", poolAt - 20, poolAt);
}

const PACIFIC_OFFSET_MS = 8 * 3600 * 1000;

/** Box writes timestamps in Pacific time with an explicit offset, e.g. 2026-11-27T04:40:00-08:00. */
export function boxTimestamp(at = Date.now()): string {
  return new Date(at - PACIFIC_OFFSET_MS).toISOString().slice(0, 19) + "-08:00";
}

export function demoUser(userId: string): object {
  return { type: "user", id: userId, name: "Demo User", login: "demo@example.com" };
}

export class EventFactory {
  private serial = 0;

  constructor(private readonly userId: string) {}

  build(partial: Partial<BoxEvent> = {}): BoxEvent {
    const n = ++this.serial;
    const now = boxTimestamp();
    const defaults: BoxEvent = {
      type: "event",
      event_id: randomHex40(),
      event_type: "ITEM_UPLOAD",
      created_at: now,
      recorded_at: now,
      session_id: null,
      created_by: demoUser(this.userId),
      source: partial.source !== undefined ? null : this.file(n, now),
      additional_details: null,
    };
    const event: Record<string, unknown> = defaults;
    // A JSON round trip detaches the event from the caller's objects; freezing keeps the served JSON honest.
    for (const [k, v] of Object.entries(partial)) if (v !== undefined) event[k] = JSON.parse(JSON.stringify(v));
    return deepFreeze(event as BoxEvent);
  }

  private file(n: number, now: string): object {
    const folderId = String(300000000000 + (n % 7));
    const folderName = `Reports ${n % 7}`;
    return {
      type: "file",
      id: String(1400000000000 + n),
      sequence_id: "0",
      etag: "0",
      sha1: randomHex40(),
      name: `report-${n}.pdf`,
      description: "",
      size: randomInt(1024, 5_000_000),
      path_collection: {
        total_count: 2,
        entries: [
          { type: "folder", id: "0", sequence_id: null, etag: null, name: "All Files" },
          { type: "folder", id: folderId, sequence_id: "0", etag: "0", name: folderName },
        ],
      },
      created_at: now,
      modified_at: now,
      trashed_at: null,
      purged_at: null,
      content_created_at: now,
      content_modified_at: now,
      created_by: demoUser(this.userId),
      modified_by: demoUser(this.userId),
      owned_by: demoUser(this.userId),
      shared_link: null,
      parent: { type: "folder", id: folderId, sequence_id: "0", etag: "0", name: folderName },
      item_status: "active",
    };
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
