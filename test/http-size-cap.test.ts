import { createServer, Server } from "http";
import { AddressInfo } from "net";
import should from "should";
import { BoxError } from "../nodes/box/errors";
import { HttpClient } from "../nodes/box/http";
import { waitFor } from "./support/wait";

/** The size cap also holds when the answer announces no length (chunked) and just keeps sending. */
describe("HttpClient size cap on a streamed answer", function () {
  let server: Server;
  let sent = 0;
  let serverSawClose = false;

  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" }); // no content-length: chunked
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed && sent < 64 * 1024 * 1024) res.once("drain", pump);
        else res.end();
      };
      res.on("close", () => (serverSawClose = true));
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("stops reading past maxBytes, drops the connection and fails with response_too_large", async () => {
    const http = new HttpClient();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const err = await http.sendRaw({ method: "GET", url, timeoutMs: 10_000 }, 1024 * 1024).catch((e: unknown) => e);
    should(err).be.instanceOf(BoxError);
    should((err as BoxError).details).match({ code: "response_too_large", status: 200 });
    // the client hung up (before closing its own pool), long before the 64 MB the server would send
    await waitFor(() => serverSawClose, "the server to see the connection end");
    await http.close();
    should(sent).be.below(16 * 1024 * 1024);
  });
});
