import { HostileBox, HostileRoute, json } from "./hostile-box";
import { helper } from "./node-helper";

/**
 * A box at position 100 with one page waiting: the events request from 100 answers `entries` (each one event's
 * JSON text, so a test can send what JSON.stringify cannot build), the first long poll says new_change, and later
 * polls are held open. `other` answers every other request.
 */
export function onePageBox(entries: string[], other?: HostileRoute): Promise<HostileBox> {
  let woken = false;
  return HostileBox.start({
    events: (_req, res, url) => {
      if (url.searchParams.get("stream_position") !== "100") return false;
      const next = String(100 + entries.length);
      json(
        res,
        200,
        `{"chunk_size":${entries.length},"next_stream_position":"${next}","entries":[${entries.join(",")}]}`,
      );
    },
    realtime: (_req, res) => (woken ? undefined : ((woken = true), json(res, 200, { message: "new_change" }))),
    other,
  });
}

/**
 * The node-helper runtime around a describe block whose tests each load a flow against their own box: after each
 * test the flow is unloaded and the box handed to the returned function closed.
 */
export function runtimePerTest(): (box: HostileBox) => HostileBox {
  let box: HostileBox | undefined;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await helper.unload();
    await box?.close();
    box = undefined;
  });
  return (started) => (box = started);
}

/** {@link runtimePerTest} with a one-page box for each test. */
export function onePageBoxPerTest(): (entries: string[], other?: HostileRoute) => Promise<HostileBox> {
  const owned = runtimePerTest();
  return async (entries, other) => owned(await onePageBox(entries, other));
}
