import { callBoxApi } from "../box/api/api-call";
import { ApiNodeSettings, buildApiRequest, maxBytesOf } from "../box/api/api-request";
import { runOperation, OperationResult } from "../box/api/operation-call";
import { buildOperationRequest } from "../box/api/operation-request";
import { CUSTOM_OPERATION, operationById } from "../box/api/operations";
import { searchPaceFor } from "../box/api/search-pace";
import { Caller } from "../box/api/download";
import { BoxError } from "../box/errors";
import { BoxClient } from "../box/http/box-client";
import { fillIn, ReasonArgs } from "../box/reasons";
import { migrate, Migration } from "../shared/config-version";
import { BoxConfigNode, Node, NodeAPI, NodeMessage } from "../shared/node-red-types";
import { errorForCatch, statusForFailure, Translate } from "./catch-error";
import { fieldValue, fieldValues, StoredFields } from "./field-values";
import en from "./locales/en-US/box-api.json";
import { registerOperationsEndpoint } from "./operations-admin";

interface BoxApiDef extends ApiNodeSettings, StoredFields {
  version?: number;
  name?: string;
  box?: string;
  operation?: string;
  onConflict?: "error" | "version";
}

/** Upgrades of stored definitions: version 1 is the first; version 2 has operations (older nodes make custom calls). */
const MIGRATIONS: readonly Migration<BoxApiDef>[] = [
  (def) => def,
  (def) => ({ ...def, operation: def.operation || CUSTOM_OPERATION }),
];

/** The `box-api` node: one Box operation (or a custom API call) per message, with the config node's token. */
export = function register(RED: NodeAPI): void {
  const t = englishText;
  registerOperationsEndpoint(RED);

  function BoxApiNode(this: Node, stored: BoxApiDef) {
    RED.nodes.createNode(this, stored);
    const def = migrate(stored, MIGRATIONS);
    const node = this;
    const config = def.box ? (RED.nodes.getNode(def.box) as BoxConfigNode | null) : null;
    const reasons = englishReason;
    const { caller, setupError } = callerFor(t, config, reasons);
    if (setupError) node.status({ fill: "red", shape: "ring", text: setupError.message });
    const controller = new AbortController();
    let inFlight = 0;

    const showProgress = () =>
      node.status(
        inFlight > 0 ? { fill: "blue", shape: "dot", text: t("status.requesting", { count: inFlight }) } : {},
      );

    const handle = async (msg: Record<string, unknown>): Promise<OperationResult> => {
      if (!caller) throw setupError;
      inFlight++;
      showProgress();
      try {
        return await perform(RED, node, def, caller, config, msg, controller.signal);
      } finally {
        inFlight--;
      }
    };

    node.on("input", (msg, send, done) => {
      handle(msg as Record<string, unknown>).then(
        (result) => {
          showProgress();
          send(Object.assign(msg, messageFields(result)));
          done();
        },
        (err: unknown) => {
          if (controller.signal.aborted) return; // stopped by a deploy: nothing to report
          node.status({ fill: "red", shape: "ring", text: statusForFailure(t, err, reasons) });
          done(errorForCatch(t, err, reasons));
        },
      );
    });

    node.on("close", (_removed, done) => {
      controller.abort();
      (caller?.close() ?? Promise.resolve()).then(done, done);
    });
  }

  RED.nodes.registerType("box-api", BoxApiNode);
};

/** One message's call: the operation's request, or the custom call's method and path. */
async function perform(
  RED: NodeAPI,
  node: Node,
  def: BoxApiDef,
  caller: Caller,
  config: BoxConfigNode | null,
  msg: Record<string, unknown>,
  signal: AbortSignal,
): Promise<OperationResult> {
  const spec = def.operation === CUSTOM_OPERATION ? undefined : operationById(def.operation ?? "");
  if (!spec) {
    if (def.operation !== CUSTOM_OPERATION) {
      throw new BoxError("config", "unknown operation", { code: "unknown_operation", description: def.operation });
    }
    const request = buildApiRequest(def, msg);
    const asUser = await fieldValue(RED, node, def, "asUser", msg);
    if (asUser !== undefined && !/^\d{1,20}$/.test(asUser.trim())) {
      throw new BoxError("config", "invalid id: asUser", { code: "invalid_id", description: "asUser" });
    }
    if (asUser) request.headers = { "as-user": asUser.trim() };
    return caller.call({ ...request, signal });
  }
  const values = await fieldValues(RED, node, spec, def, msg);
  const op = buildOperationRequest(spec, values, msg, maxBytesOf(def.maxBytes));
  const searchPace = config ? searchPaceFor(config) : undefined;
  return runOperation(caller, op, { onConflict: def.onConflict, searchPace, signal });
}

/** What the node adds to the message: Box's headers go to `boxHeaders`, never to `headers` (mail and HTTP nodes read that). */
function messageFields(result: OperationResult): Partial<NodeMessage> & Record<string, unknown> {
  const fields: Record<string, unknown> = {
    payload: result.payload,
    statusCode: result.statusCode,
    boxHeaders: result.headers,
  };
  if (result.filename !== undefined) fields.filename = result.filename;
  return fields;
}

/** The node's connection to Box through its config node, or the error that keeps it from making any request. */
function callerFor(
  t: Translate,
  config: BoxConfigNode | null,
  reasons: (err: BoxError) => string,
): { caller?: Caller & { close(): Promise<void> }; setupError?: Error } {
  try {
    if (!config) throw new BoxError("config", t("status.missingConfig"));
    const client = new BoxClient({
      apiBaseUrl: config.apiBaseUrl,
      tokens: config.tokenSource(),
      proxy: config.proxy,
      rateGate: config.rateGate(),
    });
    return { caller: { call: (req) => callBoxApi(client, req), close: () => client.close() } };
  } catch (err) {
    return { setupError: errorForCatch(t, err, reasons) };
  }
}

/** English whatever the runtime's language: what Status and Catch nodes see; the editor translates statuses. */
const englishReason = (err: BoxError): string => err.reason;

/** This node's texts in English (the contract's words); the editor shows statuses in the browser's language. */
function englishText(key: string, values?: ReasonArgs): string {
  const english = key.split(".").reduce<unknown>((at, k) => (at as Record<string, unknown>)?.[k], en["box-api"]);
  return fillIn(String(english ?? key), values);
}
