import { randomBytes } from "crypto";
import fs from "fs";
import path from "path";
import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { MailServer } from "./support/mail-server";
import { MqttBroker } from "./support/mqtt-broker";
import { NodeRedProcess } from "./support/node-red-process";
import { waitFor } from "./support/wait";

type FlowNode = Record<string, unknown> & { id: string; type: string };
const EXAMPLES_DIR = path.resolve(__dirname, "../../examples");

/** An example exactly as shipped, its box-config pointed at the emulator with the secret a user types in. */
function example(file: string, emulator: BoxEmulator): FlowNode[] {
  const nodes = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8")) as FlowNode[];
  for (const node of nodes.filter((n) => n.type === "box-config")) {
    node.apiBaseUrl = emulator.apiUrl;
    node.credentials = { clientId: emulator.clientId, clientSecret: emulator.clientSecret };
  }
  return nodes;
}

const ofType = (nodes: FlowNode[], type: string): FlowNode => {
  const found = nodes.filter((n) => n.type === type);
  found.should.have.length(1, `one ${type} node`);
  return found[0];
};

/** The headline uses, as users run them: the shipped examples in a real Node-RED, real MQTT and SMTP servers. */
describe("examples end to end, with a real MQTT broker and a real SMTP server", function () {
  this.timeout(120_000);
  let emulator: BoxEmulator;
  let nodeRed: NodeRedProcess | undefined;
  let broker: MqttBroker | undefined;
  let mailServer: MailServer | undefined;
  let stopSubscriber: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await stopSubscriber?.();
    await nodeRed?.stop();
    await broker?.close();
    await mailServer?.close();
    stopSubscriber = nodeRed = broker = mailServer = undefined;
    await emulator.close();
  });

  const cleanRun = (nr: NodeRedProcess) => {
    should(nr.output).not.match(/Unhandled|TypeError|ReferenceError|missing types/i);
    for (const token of emulator.issuedTokens()) should(nr.output.includes(token)).be.false();
  };

  /** A real broker, a subscriber on `topic`, and the example with its mqtt-broker node pointed at the broker. */
  const mqttExample = async (file: string, topic: string) => {
    broker = await MqttBroker.start();
    const subscriber = await broker.subscriber(topic);
    stopSubscriber = () => subscriber.client.endAsync();
    const flow = example(file, emulator);
    Object.assign(ofType(flow, "mqtt-broker"), { broker: "127.0.0.1", port: String(broker.port) });
    return { subscriber, flow };
  };

  it("mail-new-invoices: every new PDF in the folder arrives as a mail with the file attached", async () => {
    mailServer = await MailServer.start();
    const invoices = emulator.items.createFolder("Invoices").folder.id as string;
    const elsewhere = emulator.items.createFolder("Elsewhere").folder.id as string;
    const flow = example("mail-new-invoices.json", emulator);
    ofType(flow, "box-events-in").folderId = invoices;
    Object.assign(ofType(flow, "e-mail"), { server: "127.0.0.1", port: String(mailServer.port) });
    nodeRed = await NodeRedProcess.start({ modules: ["node-red-node-email"] });
    await nodeRed.deploy(flow);
    await waitFor(() => emulator.heldPolls() > 0, "the event node's long poll", 30_000);

    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(150_000)]);
    emulator.items.uploadFile("notes.txt", invoices, "not an invoice");
    emulator.items.uploadFile("invoice-elsewhere.pdf", elsewhere, "%PDF-1.7 elsewhere");
    emulator.items.uploadFile("invoice-2026-11.pdf", invoices, pdf);
    const mails = mailServer.mails;
    await waitFor(() => mails.length >= 1, "the invoice mail", 30_000);

    const mail = mails[0];
    should(mail.subject).equal("New invoice: invoice-2026-11.pdf");
    should(mail.from?.text).equal("node-red@example.com");
    should(mail.to && !Array.isArray(mail.to) && mail.to.text).equal("accounts@example.com");
    should(mail.text).match(/Uploaded to Box by Demo User \(demo@example\.com\)/);
    should(mail.attachments).have.length(1);
    should(mail.attachments[0].filename).equal("invoice-2026-11.pdf");
    should(mail.attachments[0].content.equals(pdf)).be.true("attachment bytes equal the file in Box");
    // no header of Box's answer became a mail header (box api puts them in msg.boxHeaders)
    for (const header of ["etag", "content-disposition", "content-length"])
      should(mail.headers.has(header)).be.false(header);

    // a later invoice arrives too, and by then nothing else was mailed (not the .txt, not the other folder's PDF)
    const later = Buffer.from("%PDF-1.7\nsecond invoice\n");
    emulator.items.uploadFile("invoice-2026-12.pdf", invoices, later);
    await waitFor(() => mails.length >= 2, "the second invoice mail", 30_000);
    should(mails.map((m) => m.subject)).eql(["New invoice: invoice-2026-11.pdf", "New invoice: invoice-2026-12.pdf"]);
    should(mails[1].attachments[0].content.equals(later)).be.true();

    const downloads = emulator.requests.filter((r) => r.server === "download");
    should(downloads).have.length(2);
    should(downloads.every((r) => r.authorization === undefined)).be.true("the download host never sees a token");
    cleanRun(nodeRed);
  });

  it("publish-upload-links-to-mqtt: the subscriber gets each upload's summary with its new shared link", async () => {
    const { subscriber, flow } = await mqttExample("publish-upload-links-to-mqtt.json", "box/links/#");
    nodeRed = await NodeRedProcess.start();
    await nodeRed.deploy(flow);
    await waitFor(() => emulator.heldPolls() > 0, "the event node's long poll", 30_000);

    const photos = emulator.items.createFolder("Photos").folder.id as string;
    const { file } = emulator.items.uploadFile("beach.jpg", photos, randomBytes(4096));
    await waitFor(() => subscriber.received.length >= 1, "the MQTT message", 30_000);

    const [message] = subscriber.received;
    should(message.topic).equal(`box/links/${file.id}`);
    const stored = emulator.items.tree.get({ type: "file", id: file.id as string });
    const link = stored?.sharedLink as { url: string; download_url: string } | undefined;
    should.exist(link, "the flow created a shared link in Box");
    should(JSON.parse(message.payload)).match({
      id: file.id,
      name: "beach.jpg",
      path: "All Files/Photos",
      size: 4096,
      link: link!.url,
      download: link!.download_url,
      by: "demo@example.com",
    });
    cleanRun(nodeRed);
  });

  it("box-security-events-to-mqtt: each new share, and a summary of the failed logins, reach MQTT; nothing else", async () => {
    const { subscriber, flow } = await mqttExample("box-security-events-to-mqtt.json", "box/security/#");
    // as shipped it polls every 60 s and sums up 5 minutes: a test has less time
    Object.assign(ofType(flow, "box-events-in"), { pollInterval: 5, startFrom: "beginning" });
    Object.assign(ofType(flow, "join"), { timeout: "1" });
    emulator.createEnterpriseEvent({ event_type: "LOGIN" });
    const failed = emulator.createEnterpriseEvents(3, { event_type: "FAILED_LOGIN" });
    const share = emulator.createEnterpriseEvent({ event_type: "SHARE" });
    emulator.createEnterpriseEvent({ event_type: "DOWNLOAD" });
    nodeRed = await NodeRedProcess.start();
    await nodeRed.deploy(flow);
    const received = subscriber.received;
    await waitFor(() => received.length >= 2, "a share and a failed-login summary on MQTT", 30_000);

    const onTopic = (topic: string) => received.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload));
    const source = share.source as Record<string, unknown>;
    should(onTopic("box/security/shares")).eql([
      {
        item: source.item_name,
        itemType: "file",
        itemId: source.item_id,
        owner: "demo@example.com",
        by: "demo@example.com",
        at: share.created_at,
        eventId: share.event_id,
      },
    ]);
    const summaries = onTopic("box/security/failed-logins");
    should(summaries).have.length(1);
    should(summaries[0]).match({ count: 3, logins: ["sam@example.com"], ips: ["198.51.100.23"] });
    should(failed.map((e) => e.created_at)).containEql(summaries[0].first); // the streaming type is not in time order
    // Box filtered the stream: only the two wanted types were asked for, and no long poll
    const gets = emulator.requests.filter((r) => r.path.startsWith("/2.0/events"));
    should(gets.every((r) => r.method === "GET" && r.path.includes("event_type=FAILED_LOGIN%2CSHARE"))).be.true();
    cleanRun(nodeRed);
  });
});
