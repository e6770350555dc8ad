import fs from "fs";
import path from "path";
import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { MailServer } from "./support/mail-server";
import { NodeRedProcess } from "./support/node-red-process";
import { delay, waitFor } from "./support/wait";

type FlowNode = Record<string, unknown> & { id: string; type: string };
const EXAMPLE = path.resolve(__dirname, "../../examples/mail-every-new-invoice-even-when-mail-server-is-down.json");

/** The acknowledged-delivery example as shipped, in a real Node-RED, against a real SMTP server that refuses at first. */
describe("example: mail every new invoice, even when the mail server is down", function () {
  this.timeout(120_000);
  let emulator: BoxEmulator;
  let mailServer: MailServer;
  let nodeRed: NodeRedProcess | undefined;

  before(async () => {
    emulator = await startEmulator();
    mailServer = await MailServer.start();
  });
  after(async () => {
    await nodeRed?.stop();
    await mailServer.close();
    await emulator.close();
  });

  it("mails an invoice the server refused once it takes mail again, once, and a non-PDF holds nothing back", async () => {
    const flow = JSON.parse(fs.readFileSync(EXAMPLE, "utf8")) as FlowNode[];
    const invoices = emulator.items.createFolder("Invoices").folder.id as string;
    for (const node of flow) {
      if (node.type === "box-config")
        Object.assign(node, {
          apiBaseUrl: emulator.apiUrl,
          credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
        });
      // the example waits a minute before sending again; the test two seconds
      if (node.type === "box-events-in") Object.assign(node, { folderId: invoices, redeliverAfter: 2 });
      if (node.type === "e-mail") Object.assign(node, { server: "127.0.0.1", port: String(mailServer.port) });
    }
    nodeRed = await NodeRedProcess.start({ modules: ["node-red-node-email"] });
    await nodeRed.deploy(flow);
    await waitFor(() => emulator.heldPolls() > 0, "the event node's long poll", 30_000);

    mailServer.refusing = true;
    emulator.items.uploadFile("notes.txt", invoices, "not an invoice");
    emulator.items.uploadFile("invoice-1.pdf", invoices, "%PDF-1.7 first");
    await waitFor(() => mailServer.refused >= 2, "the first try and one redelivery, refused", 60_000);
    mailServer.refusing = false;
    await waitFor(() => mailServer.mails.length >= 1, "the invoice mail", 60_000);
    should(mailServer.mails[0].subject).equal("New invoice: invoice-1.pdf");

    // acknowledged: not sent again, and the next invoice comes at once
    emulator.items.uploadFile("invoice-2.pdf", invoices, "%PDF-1.7 second");
    await waitFor(() => mailServer.mails.length >= 2, "the second invoice mail", 30_000);
    await delay(5000); // more than two redelivery periods
    should(mailServer.mails.map((m) => m.subject)).eql(["New invoice: invoice-1.pdf", "New invoice: invoice-2.pdf"]);
    // nothing left unacknowledged (the .txt was acknowledged by the switch's other output), and a position saved
    const eventsNode = flow.find((n) => n.type === "box-events-in")!;
    const saved = await waitFor(async () => {
      const context = (await (await fetch(`${nodeRed!.url}/context/node/${eventsNode.id}`)).json()) as Record<
        string,
        Record<string, unknown>
      >;
      return context.memory?.position && !context.memory.deliveries ? context.memory : undefined;
    }, "a saved position with no unacknowledged events");
    should(saved).have.property("recentEventIds");
    should(nodeRed.output).not.match(/Unhandled|TypeError|ReferenceError|acknowledged delivery:/);
  });
});
