import { Agent, request } from "undici";
import type { BoxEmulator } from "../emulator";
import type { Contender, OnEvent } from "./measure";

/** The parts of Box's answers the floor loop reads (events page, OPTIONS, realtime message). */
interface BoxAnswer {
  entries?: { event_id?: string; url?: string }[];
  next_stream_position?: string | number;
  message?: string;
}

/**
 * The floor: the least a client can do to follow the stream. undici `request` on one keep-alive Agent,
 * OPTIONS, long poll with `&stream_position=`, then pages of 500 until one is empty. No dedupe, no
 * checkpoints, no error handling beyond "ask for a new realtime URL" on any other message.
 */
export class FloorContender implements Contender {
  readonly name = "floor";
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 4 });
  private readonly controller = new AbortController();
  private loop?: Promise<void>;
  private failure?: string;

  async start(emulator: BoxEmulator, onEvent: OnEvent): Promise<void> {
    const api = emulator.apiUrl;
    const headers = { authorization: `Bearer ${emulator.issueToken()}` };
    const signal = this.controller.signal;
    const getJson = async (method: "GET" | "OPTIONS", url: string, auth: boolean): Promise<BoxAnswer> => {
      const res = await request(url, { method, headers: auth ? headers : undefined, dispatcher: this.agent, signal });
      const body = (await res.body.json()) as BoxAnswer;
      if (res.statusCode !== 200) throw new Error(`${method} ${url}: HTTP ${res.statusCode}`);
      return body;
    };
    const realtimeUrl = async () => (await getJson("OPTIONS", `${api}/2.0/events`, true)).entries?.[0].url as string;

    let position = String((await getJson("GET", `${api}/2.0/events?stream_position=now`, true)).next_stream_position);
    let url = await realtimeUrl();
    this.loop = (async () => {
      while (!signal.aborted) {
        const { message } = await getJson("GET", `${url}&stream_position=${position}`, false);
        if (message !== "new_change") {
          url = await realtimeUrl();
          continue;
        }
        for (;;) {
          const page = await getJson("GET", `${api}/2.0/events?stream_position=${position}&limit=500`, true);
          for (const event of page.entries ?? []) onEvent(event.event_id as string);
          position = String(page.next_stream_position);
          if (!page.entries?.length) break;
        }
      }
    })().catch((err: Error) => {
      if (!signal.aborted) this.failure = err.message;
    });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    await this.agent.destroy().catch(() => undefined);
  }

  notes(): string[] {
    return this.failure ? [`floor loop died: ${this.failure}`] : [];
  }
}
