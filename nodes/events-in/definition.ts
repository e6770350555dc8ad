import { isEnterpriseStream, isStreamType, StreamType } from "../box/events/events-api";
import { BoxError } from "../box/errors";
import { StartFrom } from "../box/events/event-stream";
import { reason } from "../box/reasons";
import { migrate, Migration } from "../shared/config-version";

/** The node's properties as the flow stores them. */
export interface BoxEventsInDef {
  version?: number;
  name?: string;
  box?: string;
  streamType?: StreamType;
  /** seconds; the dialog saves a number, hand-edited flows may hold a numeric string */
  pollInterval?: number | string;
  startFrom?: "now" | "beginning" | "position";
  position?: string;
  resume?: boolean;
  eventTypes?: string[] | string;
  /** only events about this folder and the items in it; "" = the whole account */
  folderId?: string;
  /** with `folderId`: items at any depth (default), or direct children only */
  includeSubfolders?: boolean;
  /** when an event counts as done: handed on (default), or acknowledged by a box-events-ack node */
  ack?: "delivered" | "flow";
  maxInFlight?: number | string;
  /** seconds; 0 = only after a restart or redeploy */
  redeliverAfter?: number | string;
  wires?: string[][];
}

/** Upgrades of stored definitions; version 1 (the first versioned one) has the same properties as before. */
const MIGRATIONS: readonly Migration<BoxEventsInDef>[] = [(def) => def];

export function migrateEventsIn(def: BoxEventsInDef): BoxEventsInDef {
  return migrate(def, MIGRATIONS);
}

const DEFAULT_POLL_INTERVAL_SEC = 60;
const MIN_POLL_INTERVAL_SEC = 5;
/** A day: anything longer is a typo, and timers above 2^31 ms fire at once. */
const MAX_POLL_INTERVAL_SEC = 86_400;

/** What kind of stream to run, checked before any request: a bad value never reaches Box's query string. */
export interface StreamSettings {
  streamType: StreamType;
  /** enterprise streams only */
  pollIntervalMs?: number;
}

/** The stream type and, for enterprise streams, the poll interval; a `config` BoxError when either is invalid. */
export function streamSettings(def: BoxEventsInDef): StreamSettings {
  const streamType = def.streamType ?? "all";
  if (!isStreamType(streamType)) throw new BoxError("config", reason("invalidStreamType"));
  if (!isEnterpriseStream(streamType)) return { streamType };
  const seconds = pollIntervalSeconds(def.pollInterval);
  if (Number.isNaN(seconds)) throw new BoxError("config", reason("invalidPollInterval"));
  return { streamType, pollIntervalMs: seconds * 1000 };
}

function pollIntervalSeconds(value: BoxEventsInDef["pollInterval"]): number {
  if (value === undefined || value === "") return DEFAULT_POLL_INTERVAL_SEC;
  const seconds = typeof value === "number" ? value : /^\s*\d+(\.\d+)?\s*$/.test(String(value)) ? Number(value) : NaN;
  return seconds >= MIN_POLL_INTERVAL_SEC && seconds <= MAX_POLL_INTERVAL_SEC ? seconds : NaN;
}

/** Enterprise positions belong to their stream type; user streams keep the key they always had. */
export function checkpointKey(startFrom: StartFrom, streamType: StreamType): string {
  return JSON.stringify(startFrom) + (isEnterpriseStream(streamType) ? ` ${streamType}` : "");
}

export function startFromOf(def: BoxEventsInDef): StartFrom {
  if (def.startFrom === "position") return { position: String(def.position ?? "") };
  return def.startFrom === "beginning" ? "beginning" : "now";
}

export function eventTypeList(value: BoxEventsInDef["eventTypes"]): string[] {
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return list.map((type) => String(type).trim()).filter(Boolean);
}
