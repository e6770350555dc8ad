import { StreamType } from "../box/box-api";
import { StartFrom } from "../box/event-stream";
import { migrate, Migration } from "../config-version";

/** The node's properties as the flow stores them. */
export interface BoxEventsInDef {
  version?: number;
  name?: string;
  box?: string;
  streamType?: StreamType;
  startFrom?: "now" | "beginning" | "position";
  position?: string;
  resume?: boolean;
  eventTypes?: string[] | string;
  /** only events about this folder and the items in it; "" = the whole account */
  folderId?: string;
  /** with `folderId`: items at any depth (default), or direct children only */
  includeSubfolders?: boolean;
  wires?: string[][];
}

/** Upgrades of stored definitions; version 1 (the first versioned one) has the same properties as before. */
const MIGRATIONS: readonly Migration<BoxEventsInDef>[] = [(def) => def];

export const EVENTS_IN_VERSION = MIGRATIONS.length;

export function migrateEventsIn(def: BoxEventsInDef): BoxEventsInDef {
  return migrate(def, MIGRATIONS);
}

export function startFromOf(def: BoxEventsInDef): StartFrom {
  if (def.startFrom === "position") return { position: String(def.position ?? "") };
  return def.startFrom === "beginning" ? "beginning" : "now";
}

export function eventTypeList(value: BoxEventsInDef["eventTypes"]): string[] {
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  return list.map((type) => String(type).trim()).filter(Boolean);
}
