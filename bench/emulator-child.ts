/**
 * The emulator alone in a child process, steered over IPC, so that a CPU measurement of the Node-RED
 * process does not include the server side. argv[2]: realtime timeout in ms.
 */
import { startEmulator } from "../emulator";

export type EmulatorChildRequest = { type: "stats" } | { type: "close" };
export type EmulatorChildMessage =
  | { type: "ready"; apiUrl: string; token: string }
  | { type: "stats"; heldPolls: number; requests: number; cpuMicros: number };

async function main(): Promise<void> {
  const send = (msg: EmulatorChildMessage) => process.send?.(msg);
  const emulator = await startEmulator({
    positionFormat: "string",
    realtimeTimeoutMs: Number(process.argv[2] ?? 30_000),
  });
  process.on("message", (msg: EmulatorChildRequest) => {
    if (msg.type === "stats") {
      const cpu = process.cpuUsage();
      send({
        type: "stats",
        heldPolls: emulator.heldPolls(),
        requests: emulator.requests.length,
        cpuMicros: cpu.user + cpu.system,
      });
    } else if (msg.type === "close") {
      emulator.close().finally(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", apiUrl: emulator.apiUrl, token: emulator.issueToken({ lifetimeSec: 3600 }) });
}

main().catch((err: Error) => {
  console.error(`emulator child: ${err.message}`);
  process.exit(1);
});
