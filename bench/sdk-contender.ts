import { BoxClient, BoxDeveloperTokenAuth } from "box-node-sdk";
import type { BoxEmulator } from "../emulator";
import type { Contender, OnEvent } from "./measure";

/**
 * box-node-sdk v10's `client.events.getEventStream()` (a Readable in object mode), measured at 'data'.
 * `withCustomBaseUrls({ baseUrl })` takes the API origin: the SDK appends `/2.0/events` itself. The
 * realtime URL comes from the emulator's OPTIONS answer, so the long poll follows it. `limit: 500` so its
 * pages are as large as the floor's and the node's (the SDK's default is Box's 100).
 */
export class SdkContender implements Contender {
  readonly name = "sdk";
  private stream?: NodeJS.ReadableStream & { destroy(): void };
  private readonly errors: string[] = [];
  private errorCount = 0;
  private missingIds = 0;

  async start(emulator: BoxEmulator, onEvent: OnEvent): Promise<void> {
    const client = new BoxClient({
      auth: new BoxDeveloperTokenAuth({ token: emulator.issueToken() }),
    }).withCustomBaseUrls({
      baseUrl: emulator.apiUrl,
    });
    const stream = client.events.getEventStream({ streamType: "all", limit: 500 });
    this.stream = stream;
    stream.on("data", (event: { eventId?: string }) => {
      if (typeof event.eventId === "string") onEvent(event.eventId);
      else this.missingIds++;
    });
    stream.on("error", (err: Error) => {
      this.errorCount++;
      if (this.errors.length < 3) this.errors.push(err.message);
    });
  }

  async stop(): Promise<void> {
    this.stream?.destroy();
  }

  notes(): string[] {
    const notes = [
      "sdk: getEventStream({ streamType: 'all', limit: 500 }) via BoxClient.withCustomBaseUrls({ baseUrl: apiUrl })",
    ];
    if (this.errorCount)
      notes.push(`sdk: stream emitted ${this.errorCount} 'error' events, e.g. ${this.errors.join(" | ")}`);
    if (this.missingIds) notes.push(`sdk: ${this.missingIds} events without eventId`);
    return notes;
  }
}
