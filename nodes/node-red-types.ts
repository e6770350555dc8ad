import type { TokenSource } from "./box/auth/token-source";
import type { BoxError } from "./box/errors";
import type { RateGate } from "./box/rate-gate";
import type { ProxySettings } from "./box/proxy-settings";

/** The small part of Node-RED's runtime API these nodes use (Node-RED ships no typings of its own). */
export interface NodeStatus {
  fill?: "red" | "green" | "yellow" | "blue" | "grey";
  shape?: "ring" | "dot";
  text?: string;
}

export interface NodeContext {
  get(keys: string[], callback: (err: Error | null, ...values: unknown[]) => void): void;
  set(keys: string[], values: unknown[], callback: (err?: Error | null) => void): void;
}

export interface NodeMessage {
  [key: string]: unknown;
}

export interface Node {
  id: string;
  name?: string;
  credentials: Record<string, string | undefined>;
  on(event: "close", handler: (removed: boolean, done: () => void) => void): void;
  on(
    event: "input",
    handler: (msg: NodeMessage, send: (msg: unknown) => void, done: (err?: Error) => void) => void,
  ): void;
  send(msg: unknown): void;
  status(status: NodeStatus): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  context(): NodeContext;
}

export interface NodeAPI {
  nodes: {
    createNode(node: Node, config: object): void;
    getNode(id: string): Node | null;
    registerType(
      type: string,
      constructor: Function,
      options?: { credentials?: Record<string, { type: "text" | "password" }> },
    ): void;
    getCredentials(id: string): Record<string, string | undefined> | undefined;
    addCredentials(id: string, credentials: Record<string, string | undefined>): Promise<void> | void;
  };
  httpAdmin: {
    get(path: string, ...handlers: Function[]): void;
    post(path: string, ...handlers: Function[]): void;
  };
  auth: { needsPermission(permission: string): Function };
  settings: Record<string, unknown> & { userDir?: string };
  log: { info(msg: unknown): void; warn(msg: unknown): void; error(msg: unknown): void; debug(msg: unknown): void };
  _(key: string, substitutions?: Record<string, unknown>): string;
}

/** What a `box-events-in` node gets from its config node. */
export interface BoxConfigNode extends Node {
  apiBaseUrl?: string;
  /** Which proxy every request of this config takes (resolved once at start). */
  proxy: ProxySettings;
  /** The shared token source, or a `config` BoxError saying what is missing. */
  tokenSource(): TokenSource;
  /** A BoxError's short reason in the runtime's language. */
  reasonText(err: BoxError): string;
  /** The one rate gate of this Box user, shared by every node that uses the config. */
  rateGate(): RateGate;
}
