import net, { AddressInfo } from "net";
import should from "should";
import { BoxError } from "../nodes/box/errors";
import { HttpClient } from "../nodes/box/http/http";
import { proxyFromConfigNode } from "../nodes/box/http/proxy-settings";
import { ForwardProxy } from "./support/forward-proxy";
import { delay } from "./support/wait";

/** The HTTP client against a real forward proxy that says no: a clear reason at once, and no reconnect storm. */
describe("HTTP client behind a refusing proxy", function () {
  this.timeout(20_000);
  let proxy: ForwardProxy;
  let client: HttpClient;

  beforeEach(async () => {
    proxy = await ForwardProxy.start({ auth: { username: "u", password: "right" } });
  });
  afterEach(async () => {
    await client?.close();
    await proxy.close();
  });

  const failure = async (url: string): Promise<BoxError> => {
    try {
      await client.send({ method: "GET", url, timeoutMs: 10_000 });
    } catch (err) {
      should(err).be.instanceOf(BoxError);
      return err as BoxError;
    }
    throw new Error("the request went through");
  };
  const through = (password: string) =>
    (client = new HttpClient(proxyFromConfigNode({ url: proxy.url, credentials: { username: "u", password } })));

  it("a proxy that hangs up on CONNECT: `proxy refused: connection reset` after one connection, not thousands", async () => {
    // undici's own ProxyAgent reconnects at once, again and again (about 2,000 connections a second here), even after an abort
    through("right");
    proxy.mode = "reset";
    const err = await failure("https://127.0.0.1:9/2.0/events");
    should([err.kind, err.reason, err.needsHelp]).eql(["proxy", "proxy refused: connection reset", false]);
    const connections = proxy.connections;
    await delay(1000); // the quiet period is what is measured
    should(proxy.connections).equal(connections);
    should(connections).equal(1);
  });

  it("407 on a CONNECT and on a forwarded request: `proxy refused: 407`, which needs a person", async () => {
    through("wrong");
    for (const url of ["https://127.0.0.1:9/2.0/events", "http://127.0.0.1:9/subscribe"]) {
      const err = await failure(url);
      should([url, err.kind, err.reason, err.needsHelp]).eql([url, "proxy", "proxy refused: 407", true]);
    }
    proxy.mode = { refuse: 502 };
    should((await failure("https://127.0.0.1:9/2.0/events")).reason).equal("proxy refused: 502");
  });

  it("nothing listening at the proxy's address: `proxy unreachable`", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    client = new HttpClient(proxyFromConfigNode({ url: `http://127.0.0.1:${port}` }));
    for (const url of ["https://127.0.0.1:9/2.0/events", "http://127.0.0.1:9/subscribe"])
      should((await failure(url)).reason).equal("proxy unreachable");
  });
});
