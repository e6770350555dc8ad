/**
 * The soak's emulator, alone in a child process steered over IPC, so that the soak's heap and handle
 * figures are the client's only (the emulator's event log and request record grow by design).
 * argv[2]: JSON EmulatorOptions.
 */
import { startEmulator } from "../emulator";
import type { EmulatorOptions, Fault, Quirks } from "../emulator";

export interface SoakAction {
  /** events to create (0: none) */
  events: number;
  /** create them only once the client holds a long poll (false: whenever, to race a fetch) */
  waitHeld: boolean;
  /** queued before the events are created: it hits the client's next matching request */
  faults?: Fault[];
  expireTokens?: boolean;
  quirks?: Quirks;
}

export type SoakRequest =
  { id: number; type: "act"; action: SoakAction } | { id: number; type: "stats" } | { id: number; type: "close" };

export type SoakReply =
  | { id: number; type: "acted"; ids: string[]; held: boolean }
  | { id: number; type: "stats"; openConnections: number; heldPolls: number; events: number; tokenRequests: number };

export interface SoakReady {
  type: "ready";
  apiUrl: string;
  clientId: string;
  clientSecret: string;
}

const HELD_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const options: EmulatorOptions = JSON.parse(process.argv[2] ?? "{}");
  const emulator = await startEmulator(options);
  const send = (msg: SoakReply | SoakReady) => process.send?.(msg);
  let acts = 0;
  let tokenRequests = 0;

  const untilHeld = async (): Promise<boolean> => {
    const deadline = Date.now() + HELD_TIMEOUT_MS;
    while (emulator.heldPolls() < 1) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return true;
  };

  process.on("message", async (msg: SoakRequest) => {
    if (msg.type === "act") {
      const { action } = msg;
      const held = action.waitHeld ? await untilHeld() : true;
      if (action.quirks) emulator.setQuirks(action.quirks);
      for (const fault of action.faults ?? []) emulator.injectFault(fault);
      if (action.expireTokens) emulator.expireAllTokens();
      const ids = action.events > 0 ? emulator.createEvents(action.events).map((event) => event.event_id) : [];
      // the request record is for tests; here it would only grow
      if (++acts % 500 === 0) {
        tokenRequests += emulator.requests.filter((r) => r.path.startsWith("/oauth2/token")).length;
        emulator.clearRequests();
      }
      send({ id: msg.id, type: "acted", ids, held });
    } else if (msg.type === "stats") {
      const pendingTokens = emulator.requests.filter((r) => r.path.startsWith("/oauth2/token")).length;
      send({
        id: msg.id,
        type: "stats",
        openConnections: emulator.openConnections(),
        heldPolls: emulator.heldPolls(),
        events: emulator.events().length,
        tokenRequests: tokenRequests + pendingTokens,
      });
    } else if (msg.type === "close") {
      // no answer: the parent waits for this process to exit
      await emulator.close();
      process.disconnect?.();
    }
  });
  process.on("disconnect", () => void emulator.close().finally(() => process.exit(0)));
  send({ type: "ready", apiUrl: emulator.apiUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret });
}

main().catch((err: Error) => {
  console.error(`soak emulator: ${err.stack ?? err.message}`);
  process.exit(1);
});
