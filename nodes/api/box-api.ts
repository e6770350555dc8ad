import { ApiCallResult, callBoxApi } from "../box/api/api-call";
import { ApiNodeSettings, buildApiRequest } from "../box/api/api-request";
import { BoxError } from "../box/errors";
import { BoxClient } from "../box/http/box-client";
import { fillIn, ReasonArgs } from "../box/reasons";
import { migrate, Migration } from "../shared/config-version";
import { BoxConfigNode, Node, NodeAPI, NodeMessage } from "../shared/node-red-types";
import en from "./locales/en-US/box-api.json";
import { translated } from "../shared/reason-text";

interface BoxApiDef extends ApiNodeSettings {
  version?: number;
  name?: string;
  box?: string;
}

/** Upgrades of stored definitions; version 1 is the first. */
const MIGRATIONS: readonly Migration<BoxApiDef>[] = [(def) => def];

/** The `box-api` node: one Box API call per message, with the config node's token. */
export = function register(RED: NodeAPI): void {
  const t = translator(RED);

  function BoxApiNode(this: Node, stored: BoxApiDef) {
    RED.nodes.createNode(this, stored);
    const def = migrate(stored, MIGRATIONS);
    const node = this;
    const { client, setupError } = clientFor(RED, def);
    if (setupError) node.status({ fill: "red", shape: "ring", text: setupError.message });
    const controller = new AbortController();
    let inFlight = 0;

    const showProgress = () =>
      node.status(
        inFlight > 0 ? { fill: "blue", shape: "dot", text: t("status.requesting", { count: inFlight }) } : {},
      );

    const handle = async (msg: NodeMessage): Promise<ApiCallResult> => {
      if (!client) throw setupError;
      const request = buildApiRequest(def, msg);
      inFlight++;
      showProgress();
      try {
        return await callBoxApi(client, { ...request, signal: controller.signal });
      } finally {
        inFlight--;
      }
    };

    node.on("input", (msg, send, done) => {
      handle(msg).then(
        (result) => {
          showProgress();
          send(Object.assign(msg, result));
          done();
        },
        (err: unknown) => {
          if (controller.signal.aborted) return; // stopped by a deploy: nothing to report
          const error = errorForCatch(RED, err, reasonsOf(RED, def));
          const status = err instanceof BoxError ? err.details.status : undefined;
          const text = status !== undefined ? t("status.httpStatus", { status }) : t("status.failed");
          node.status({ fill: "red", shape: "ring", text });
          done(error);
        },
      );
    });

    node.on("close", (_removed, done) => {
      controller.abort();
      (client?.close() ?? Promise.resolve()).then(done, done);
    });
  }

  RED.nodes.registerType("box-api", BoxApiNode);
};

/** The node's connection to Box through its config node, or the error that keeps it from making any request. */
function clientFor(RED: NodeAPI, def: BoxApiDef): { client?: BoxClient; setupError?: Error } {
  const config = def.box ? (RED.nodes.getNode(def.box) as BoxConfigNode | null) : null;
  try {
    if (!config) throw new BoxError("config", translator(RED)("status.missingConfig"));
    const client = new BoxClient({
      apiBaseUrl: config.apiBaseUrl,
      tokens: config.tokenSource(),
      proxy: config.proxy,
      rateGate: config.rateGate(),
    });
    return { client };
  } catch (err) {
    return { setupError: errorForCatch(RED, err, reasonsOf(RED, def)) };
  }
}

/** Reasons live in the config node's locale file, so the config node translates them; without one, English. */
function reasonsOf(RED: NodeAPI, def: BoxApiDef): (err: BoxError) => string {
  const config = def.box ? (RED.nodes.getNode(def.box) as BoxConfigNode | null) : null;
  return config ? (err) => config.reasonText(err) : (err) => err.reason;
}

/** The error a Catch node gets: the status, Box's code and request_id in the message; all of them in `cause`. */
function errorForCatch(RED: NodeAPI, err: unknown, reasons: (err: BoxError) => string): Error {
  const t = translator(RED);
  if (!(err instanceof BoxError)) return err instanceof Error ? err : new Error(String(err));
  const { status, code, requestId, description } = err.details;
  if (status !== undefined && code !== "tooLarge") {
    const message = t("errors.http", { status, code: code ?? "-", requestId: requestId ?? "-" });
    const cause = { status, code, message: description, request_id: requestId };
    return Object.assign(new Error(description ? `${message}: ${description}` : message, { cause }), {
      code: code ?? `HTTP ${status}`,
    });
  }
  const known = code !== undefined && code in en["box-api"].errors;
  // our own errors carry their detail (the placeholder, the size cap) in `description`
  const message = known
    ? t(`errors.${code}`, { placeholder: description ?? "", max: description ?? "" })
    : reasons(err);
  return Object.assign(new Error(message), { code: code ?? err.kind });
}

/** `RED._` for this node's texts, with the en-US text where the runtime has no catalog (the test helper). */
function translator(RED: NodeAPI): (key: string, values?: ReasonArgs) => string {
  return (key, values) => {
    const english = key.split(".").reduce<unknown>((at, k) => (at as Record<string, unknown>)?.[k], en["box-api"]);
    return translated(RED._, `box-api.${key}`, fillIn(String(english ?? key), values), values);
  };
}
