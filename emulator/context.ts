import type { DownloadTickets } from "./download-host";
import type { EnterpriseLog } from "./enterprise-log";
import type { EventFactory } from "./event-defaults";
import type { EventLog } from "./event-log";
import type { FaultQueue } from "./faults";
import type { ItemActivity } from "./item-activity";
import type { RealtimeHub } from "./realtime";
import type { AuthState } from "./oauth";
import type { TokenStore } from "./tokens";
import type { Account, BoxEvent, Quirks, RequestRecord, Settings } from "./types";

/** Everything the two servers share; built once by startEmulator. */
export interface EmulatorContext {
  account: Account;
  log: EventLog;
  /** the enterprise's admin events (admin_logs, admin_logs_streaming) */
  enterprise: EnterpriseLog;
  factory: EventFactory;
  tokens: TokenStore;
  auth: AuthState;
  faults: FaultQueue;
  hub: RealtimeHub;
  items: ItemActivity;
  /** Download URLs on the download host, handed out by `GET /2.0/files/{id}/content`. */
  downloads: DownloadTickets;
  requests: RequestRecord[];
  realtimeUrl: () => string;
  settings: () => Settings;
  setQuirks: (q: Quirks) => void;
  createEvents: (count: number, partial?: Partial<BoxEvent>) => BoxEvent[];
  createEnterpriseEvents: (count: number, partial?: Partial<BoxEvent>) => BoxEvent[];
  stats: () => { events: number; openConnections: number; heldPolls: number; requests: number };
}
