import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import {
  boxApiNode,
  boxConfigNode,
  catchNode,
  completeNode,
  type FlowNode,
  helper,
  lastStatus,
  sentBy,
} from "./support/node-helper";
import { waitFor } from "./support/wait";

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NODES = [boxConfigNode, boxApiNode, catchNode, completeNode];

/** box-config → box-api → `out`, with a Catch node → `caught` and a Complete node → `completed` on the api node. */
function apiFlow(
  emulator: BoxEmulator,
  api: Record<string, unknown>,
  config: Record<string, unknown> = {},
): FlowNode[] {
  return [
    { id: "tab", type: "tab", label: "test" },
    {
      id: "cfg",
      type: "box-config",
      name: "emulator",
      authType: "developerToken",
      apiBaseUrl: emulator.apiUrl,
      ...config,
    },
    { id: "api", type: "box-api", z: "tab", box: "cfg", method: "GET", path: "", ret: "obj", wires: [["out"]], ...api },
    { id: "out", type: "helper", z: "tab" },
    { id: "catcher", type: "catch", z: "tab", scope: ["api"], uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: "tab" },
    { id: "completer", type: "complete", z: "tab", scope: ["api"], uncaught: false, wires: [["completed"]] },
    { id: "completed", type: "helper", z: "tab" },
  ];
}

function received(nodeId: string): Msg[] {
  const msgs: Msg[] = [];
  helper.getNode(nodeId).on("input", (msg: Msg) => msgs.push(msg));
  return msgs;
}

describe("box-api node", function () {
  let emulator: BoxEmulator;
  let out: Msg[];
  let caught: Msg[];
  let completed: Msg[];

  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await helper.unload();
    await emulator.close();
  });

  async function load(api: Record<string, unknown>, config: Record<string, unknown> = {}, credentials?: object) {
    const creds = { cfg: credentials ?? { accessToken: emulator.issueToken() } };
    await helper.load(NODES, apiFlow(emulator, api, config), creds);
    out = received("out");
    caught = received("caught");
    completed = received("completed");
  }
  const send = (msg: Msg) => helper.getNode("api").receive(msg);
  const apiRequests = (path: string) => emulator.requests.filter((r) => r.server === "api" && r.path.startsWith(path));
  const ccg = { authType: "ccg", subjectType: "enterprise", subjectId: "100001" };
  const ccgCredentials = () => ({ clientId: emulator.clientId, clientSecret: emulator.clientSecret });

  it("answers a JSON call with the item, status and headers, the rest of the message kept, and completes", async () => {
    const folder = emulator.items.createFolder("Invoices").folder.id as string;
    const { file, event } = emulator.items.uploadFile("invoice-7.pdf", folder, "%PDF-1.7 seven");
    await load({ path: "/2.0/files/{{payload.source.id}}?fields=name,size,parent" });
    send({ payload: JSON.parse(JSON.stringify(event)), topic: "ITEM_UPLOAD", keep: "me" });
    await waitFor(() => out.length === 1 && completed.length === 1, "answer and Complete");
    should(out[0].payload).eql({
      type: "file",
      id: file.id,
      etag: "0",
      name: "invoice-7.pdf",
      size: 14,
      parent: (file as Msg).parent,
    });
    should(out[0]).match({ statusCode: 200, topic: "ITEM_UPLOAD", keep: "me" });
    should(out[0].boxHeaders["content-type"]).match(/application\/json/);
    should(out[0].headers).be.undefined(); // Box's headers never land where mail and HTTP nodes read theirs
    should(completed[0]._msgid).equal(out[0]._msgid);
    should(caught).have.length(0);
    should(apiRequests(`/2.0/files/${file.id}`)[0].authorization).match(/^Bearer /);
    should(lastStatus("api")).eql({});
  });

  it("sends msg.payload as the JSON body of a PUT (a shared link), with msg.method and msg.apiPath", async () => {
    const { file } = emulator.items.uploadFile("report.pdf", "0", "report");
    await load({ method: "use", path: "" });
    send({
      method: "PUT",
      path: "All Files/Reports",
      apiPath: `/2.0/files/${file.id}?fields=shared_link`,
      payload: { shared_link: { access: "open" } },
    });
    await waitFor(() => out.length === 1, "answer");
    should(out[0].payload.shared_link).match({ access: "open", url: /^https:\/\/app\.box\.com\/s\/[0-9a-f]{32}$/ });
    const info = (await (await fetchWithToken(emulator, `/2.0/files/${file.id}`)).json()) as Msg;
    should(info.shared_link.url).equal(out[0].payload.shared_link.url);
  });

  it("downloads through Box's redirect, and the download host never sees the token", async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const { file } = emulator.items.uploadFile("scan.tif", "0", bytes);
    await load({ path: "/2.0/files/{{fileId}}/content", ret: "bin" });
    send({ fileId: file.id, filename: "scan.tif" });
    await waitFor(() => out.length === 1, "the download");
    should(Buffer.isBuffer(out[0].payload)).be.true();
    should(out[0].payload.equals(bytes)).be.true();
    should(out[0]).match({ statusCode: 200, filename: "scan.tif" });
    should(out[0].boxHeaders["content-type"]).equal("application/octet-stream");
    const api = apiRequests(`/2.0/files/${file.id}/content`);
    const downloads = emulator.requests.filter((r) => r.server === "download");
    should(api).have.length(1);
    should(api[0].authorization).match(/^Bearer /);
    should(downloads).have.length(1);
    should(downloads[0].authorization).be.undefined();
  });

  it("uploads a Buffer with msg.filename into msg.parentId as Box's multipart form", async () => {
    const folder = emulator.items.createFolder("Inbox").folder.id as string;
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 0xff, 0x0d, 0x0a]);
    await load({ method: "POST", path: "/2.0/files/content" });
    send({ payload: bytes, filename: 'C:\\scans\\Ünïcode "quote".pdf', parentId: folder });
    await waitFor(() => out.length === 1, "the upload's answer");
    should(out[0].statusCode).equal(201);
    const entry = out[0].payload.entries[0];
    should(entry).match({ type: "file", name: 'Ünïcode "quote".pdf', size: bytes.length, parent: { id: folder } });
    const stored = emulator.items.tree.get({ type: "file", id: entry.id });
    should(stored?.type === "file" && stored.content?.equals(bytes)).be.true();
    should(apiRequests("/api/2.0/files/content")).have.length(1);
  });

  it("sends a 404 to Catch with the message kept and the status, code and request_id named", async () => {
    await load({ path: "/2.0/files/{{payload.id}}" });
    send({ payload: { id: "999" }, topic: "lookup" });
    await waitFor(() => caught.length === 1, "the error at the Catch node");
    const msg = caught[0];
    should(msg).match({ payload: { id: "999" }, topic: "lookup" });
    should(msg.error.message).match(/HTTP 404.*not_found.*request_id [0-9a-f]{16}/);
    should(msg.error.code).equal("not_found");
    should(msg.error.cause).match({ status: 404, code: "not_found", request_id: /^[0-9a-f]{16}$/ });
    should(out).have.length(0);
    should(lastStatus("api")).match({ fill: "red", text: "HTTP 404 not_found" });
  });

  it("waits out a 429 with retry-after and then succeeds", async () => {
    const { file } = emulator.items.uploadFile("a.txt", "0", "a");
    emulator.injectFault({ target: "items", kind: "status", status: 429, retryAfter: 1, times: 2 });
    await load({ path: `/2.0/files/${file.id}` });
    send({ payload: "go" });
    await waitFor(() => out.length === 1, "the answer after the rate limit");
    should(out[0].payload).match({ id: file.id, name: "a.txt" });
    should(apiRequests(`/2.0/files/${file.id}`)).have.length(3);
    // the pauses follow retry-after: the second try came no sooner than a second after the first
    const [first, second] = apiRequests(`/2.0/files/${file.id}`);
    should(second.at - first.at).be.aboveOrEqual(1000);
    should(caught).have.length(0);
  });

  it("shares the config node's rate gate: a 429 one node sees holds back another node's call", async () => {
    const { file } = emulator.items.uploadFile("c.txt", "0", "c");
    const flow = apiFlow(emulator, { path: `/2.0/files/${file.id}` });
    flow.push({
      id: "api2",
      type: "box-api",
      z: "tab",
      box: "cfg",
      method: "GET",
      path: "/2.0/folders/0",
      wires: [["out2"]],
    });
    flow.push({ id: "out2", type: "helper", z: "tab" });
    await helper.load(NODES, flow, { cfg: { accessToken: emulator.issueToken() } });
    const first = received("out");
    const second = received("out2");
    emulator.injectFault({ target: "items", kind: "status", status: 429, retryAfter: 2 });
    send({ payload: 1 });
    await waitFor(() => apiRequests(`/2.0/files/${file.id}`).length === 1, "the rate-limited request");
    const limitedAt = Date.now();
    helper.getNode("api2").receive({ payload: 2 });
    await waitFor(() => first.length === 1 && second.length === 1, "both answers");
    // the other node's request went out only once Box's retry-after had passed
    should(apiRequests("/2.0/folders/0")[0].at - limitedAt).be.aboveOrEqual(1500);
  });

  it("gives up after a few tries when Box keeps answering 503, and reports it", async () => {
    emulator.injectFault({ target: "items", kind: "status", status: 503, retryAfter: 0, times: 10 });
    await load({ path: "/2.0/folders/0" });
    send({ payload: "go" });
    await waitFor(() => caught.length === 1, "the error after the retries");
    should(caught[0].error.message).match(/HTTP 503/);
    should(apiRequests("/2.0/folders/0")).have.length(4);
  });

  it("gets a fresh token when the token expires in the middle of a call, and the call succeeds", async () => {
    const { file } = emulator.items.uploadFile("b.txt", "0", "b");
    await load({ path: `/2.0/files/${file.id}` }, ccg, ccgCredentials());
    send({ payload: 1 });
    await waitFor(() => out.length === 1, "the first answer");
    should(emulator.tokenRequestStats().total).equal(1);
    // Box answers 429; while the node waits, the token expires: the retry meets a 401, refreshes once, succeeds
    emulator.injectFault({ target: "items", kind: "status", status: 429, retryAfter: 1 });
    send({ payload: 2 });
    await waitFor(() => apiRequests(`/2.0/files/${file.id}`).length === 2, "the rate-limited request");
    emulator.expireAllTokens();
    await waitFor(() => out.length === 2, "the second answer");
    should(out[1]).match({ payload: { id: file.id }, statusCode: 200 });
    should(emulator.tokenRequestStats().total).equal(2);
    const tries = apiRequests(`/2.0/files/${file.id}`).map((r) => r.authorization);
    should(tries).have.length(4); // ok, 429, 401 (expired), ok with the new token
    should(tries[2]).equal(tries[1]);
    should(tries[3]).not.equal(tries[2]);
    should(caught).have.length(0);
  });

  it("cuts off an answer larger than the size cap and reports it", async () => {
    const { file } = emulator.items.uploadFile("big.bin", "0", Buffer.alloc(200_000, 1));
    await load({ path: "/2.0/files/{{payload}}/content", ret: "bin", maxBytes: 100_000 });
    send({ payload: file.id, topic: "big" });
    await waitFor(() => caught.length === 1, "the size-cap error");
    should(caught[0]).match({ payload: file.id, topic: "big" });
    should(caught[0].error.code).equal("tooLarge");
    should(caught[0].error.message).match(/size cap of 100000 bytes/);
    should(out).have.length(0);
    // a file under the cap still comes through
    const small = emulator.items.uploadFile("small.bin", "0", Buffer.alloc(50_000, 2)).file;
    send({ payload: small.id });
    await waitFor(() => out.length === 1, "the small download");
    should(out[0].payload.length).equal(50_000);
  });

  it("refuses a message whose path placeholder is missing, with no request", async () => {
    await load({ path: "/2.0/files/{{payload.source.id}}" });
    send({ payload: { source: null } });
    await waitFor(() => caught.length === 1, "the error");
    should(caught[0].error.message).match(/payload\.source\.id/);
    should(apiRequests("/2.0/")).have.length(0);
  });

  it("without a config node: red status, messages to Catch, no requests", async () => {
    await load({ box: "" });
    should(lastStatus("api")).match({ fill: "red", text: "missing Box config" });
    send({ payload: 1 });
    await waitFor(() => caught.length === 1, "the error");
    should(caught[0].error.message).match(/missing Box config$/);
    should(emulator.requests).have.length(0);
    should(sentBy("api")).have.length(0);
  });
});

function fetchWithToken(emulator: BoxEmulator, path: string): Promise<Response> {
  return fetch(emulator.apiUrl + path, { headers: { authorization: `Bearer ${emulator.issueToken()}` } });
}
