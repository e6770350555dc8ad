import type {
  Node as NodeRedNode,
  NodeAPI as NodeRedAPI,
  NodeContext as NodeRedContext,
  NodeDef,
  NodeMessage,
  NodeMessageInFlow,
} from "node-red";
import type { TokenSource } from "../box/auth/token-source";
import type { BoxError } from "../box/errors";
import type { RateGate } from "../box/http/rate-gate";
import type { ProxySettings } from "../box/http/proxy-settings";
import type { BoxCredentials } from "../config/credentials";
import type { CoordinationSettings } from "../box/coordination/coordination-settings";

export type { NodeMessage, NodeStatus } from "node-red";

/**
 * Where @types/node-red is wrong for what Node-RED does: `get`/`set` with several keys call back with
 * one argument per value, and credentials are string maps (or nothing, for an unknown id).
 */
export interface NodeContext extends Omit<NodeRedContext, "get" | "set"> {
  get(keys: string[], callback: (err: Error | null, ...values: unknown[]) => void): void;
  set(keys: string[], values: unknown[], callback: (err?: Error | null) => void): void;
}

/** A node; `on` narrowed to the `close` and `input` forms these nodes use (the overloads defeat inference). */
export interface Node<TCreds extends object = Record<string, string | undefined>> extends Omit<
  NodeRedNode<TCreds>,
  "context" | "on"
> {
  context(): NodeContext;
  on(event: "close", listener: (removed: boolean, done: () => void) => void): this;
  on(
    event: "input",
    listener: (msg: NodeMessageInFlow, send: (msg: NodeMessage) => void, done: (err?: Error) => void) => void,
  ): this;
}

export interface NodeAPI extends Omit<NodeRedAPI, "nodes"> {
  nodes: Omit<NodeRedAPI["nodes"], "createNode" | "getNode" | "getCredentials" | "registerType"> & {
    createNode(node: Node<object>, def: Partial<NodeDef>): void;
    getNode(id: string): Node<object> | null;
    getCredentials(id: string): Partial<BoxCredentials> | undefined;
    registerType(
      type: string,
      constructor: (this: never, def: never) => void,
      options?: { credentials?: Record<string, { type: "text" | "password" }> },
    ): void;
  };
}

/** What a `box-events-in` node gets from its config node. */
export interface BoxConfigNode extends Node<Partial<BoxCredentials>> {
  apiBaseUrl?: string;
  /** Which proxy every request of this config takes (resolved once at start). */
  proxy: ProxySettings;
  /** The shared token source, or a `config` BoxError saying what is missing. */
  tokenSource(): TokenSource;
  /** A BoxError's short reason in the runtime's language. */
  reasonText(err: BoxError): string;
  /** The one rate gate of this Box user, shared by every node that uses the config. */
  rateGate(): RateGate;
  /** Where replicas coordinate; undefined without a Redis URL; a `config` BoxError when the settings are wrong. */
  coordination(): CoordinationSettings | undefined;
}
