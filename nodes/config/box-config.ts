import { createTokenSource } from "../box/auth/auth-settings";
import { FailedTokenSource, TokenSource } from "../box/auth/token-source";
import { BoxError } from "../box/errors";
import { HttpClient } from "../box/http/http";
import { RateGate } from "../box/http/rate-gate";
import { NO_PROXY } from "../box/http/proxy-settings";
import { registerAdminEndpoints } from "./admin-endpoints";
import { runtimeTokenStore } from "./runtime-token-store";
import { CREDENTIALS } from "./credentials";
import { registerRedisTest } from "./redis-admin";
import { BoxConfigProperties, CoordinationSettings, resolveConfig, resolveCoordination } from "./settings";
import { migrate, Migration } from "../shared/config-version";
import { BoxConfigNode, NodeAPI } from "../shared/node-red-types";
import { reasonText } from "../shared/reason-text";

interface BoxConfigDef extends BoxConfigProperties {
  version?: number;
  name?: string;
}

/** Upgrades of stored definitions; version 1 (the first versioned one) has the same properties as before. */
const MIGRATIONS: readonly Migration<BoxConfigDef>[] = [(def) => def];

export = function register(RED: NodeAPI): void {
  const store = runtimeTokenStore(RED);
  registerAdminEndpoints(RED, store);
  registerRedisTest(RED);

  function BoxConfig(this: BoxConfigNode, stored: BoxConfigDef) {
    // the stored object itself: Node-RED hangs hidden properties (its flow) on it
    RED.nodes.createNode(this, stored);
    const def = migrate(stored, MIGRATIONS);
    const node = this;
    this.apiBaseUrl = def.apiBaseUrl;
    this.proxy = NO_PROXY;
    let http: HttpClient | undefined;
    let tokens: TokenSource;
    try {
      const { origin, auth, proxy } = resolveConfig(RED, def, this.credentials);
      this.proxy = proxy;
      http = new HttpClient(proxy);
      tokens = createTokenSource(auth, http, origin, {
        store,
        nodeId: this.id,
        onPersistError: (err) =>
          node.error(
            `Box tokens could not be saved (${err.message}): retrying; a restart before that succeeds needs a new authorization`,
          ),
      });
    } catch (err) {
      tokens = new FailedTokenSource(err instanceof BoxError ? err : new BoxError("config", String(err)));
    }
    this.tokenSource = () => tokens;
    let coordination: CoordinationSettings | BoxError | undefined;
    try {
      coordination = resolveCoordination(def, this.credentials);
    } catch (err) {
      coordination = err instanceof BoxError ? err : new BoxError("config", String(err));
    }
    this.coordination = () => {
      if (coordination instanceof BoxError) throw coordination;
      return coordination;
    };
    this.reasonText = (err) => reasonText(RED._, err);
    const gate = new RateGate();
    this.rateGate = () => gate;
    this.on("close", (removed, done) => {
      // Deleted from the flows: its OAuth 2 tokens go too. A restart or redeploy keeps them.
      const forget = removed
        ? store.delete(node.id).catch((err) => RED.log.warn(`Box token store: ${(err as Error).message}`))
        : undefined;
      Promise.all([http?.close(), forget]).then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType("box-config", BoxConfig, { credentials: CREDENTIALS });
};
