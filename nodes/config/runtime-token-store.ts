import os from "os";
import path from "path";
import { isStoreLocked, TokenStore } from "../box/auth/token-store";
import { NodeAPI } from "../shared/node-red-types";

/**
 * The encrypted file in the user directory where OAuth 2 tokens live: Node-RED's own credentials
 * are written only on a deploy, too late for Box's single-use refresh tokens.
 */
export function runtimeTokenStore(RED: NodeAPI): TokenStore {
  const settings = RED.settings;
  const userDir =
    typeof settings.userDir === "string" && settings.userDir ? settings.userDir : path.join(os.homedir(), ".node-red");
  const credentialSecret = settings.credentialSecret;
  // Node-RED deletes its generated `_credentialSecret` on the first deploy after `credentialSecret` is set:
  // the one seen at start is remembered, so a store it encrypted can still be opened and re-encrypted.
  let remembered: string | undefined;
  const systemSecret = () => {
    const value = (settings.get as ((key: string) => unknown) | undefined)?.("_credentialSecret");
    if (typeof value === "string" && value) remembered = value;
    return remembered;
  };
  try {
    systemSecret();
  } catch {
    // settings not available (a test runtime): the store falls back to its own key file
  }
  const store = TokenStore.forDirectory(userDir, {
    credentialSecret: typeof credentialSecret === "string" || credentialSecret === false ? credentialSecret : undefined,
    systemSecret,
    log: (message) => RED.log.warn(message),
  });
  // opened (and re-encrypted under a new key) at start, before a deploy can retire the old key
  store.open().catch((err) => {
    if (!isStoreLocked(err)) RED.log.warn(`Box token store: ${(err as Error).message}`);
  });
  return store;
}
