import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { boxEventsFlow } from "./support/box-events-flow";
import { MailServer } from "./support/mail-server";
import { NodeRedProcess } from "./support/node-red-process";
import { delay, waitFor } from "./support/wait";

const REFUSE_MS = 30_000;
const EVENTS = 50;

/** box-events-in (ack: flow) → subject → e-mail; a Complete node watching the e-mail node → box-events-ack. */
function mailFlow(emulator: BoxEmulator, token: string, smtpPort: number): object[] {
  return [
    ...boxEventsFlow({
      emulator,
      credentials: { accessToken: token },
      events: { ack: "flow", maxInFlight: 100, redeliverAfter: 10 },
      to: "subject1",
    }),
    {
      id: "subject1",
      type: "change",
      z: "tab1",
      rules: [
        { t: "set", p: "topic", pt: "msg", to: '"event " & payload.event_id', tot: "jsonata" },
        { t: "set", p: "payload", pt: "msg", to: '"Box event " & payload.event_id', tot: "jsonata" },
        { t: "set", p: "from", pt: "msg", to: "node-red@example.com", tot: "str" },
      ],
      wires: [["mail1"]],
    },
    {
      id: "mail1",
      type: "e-mail",
      z: "tab1",
      server: "127.0.0.1",
      port: String(smtpPort),
      authtype: "NONE",
      secure: false,
      tls: true,
      name: "accounts@example.com",
      dname: "mail",
      wires: [],
    },
    { id: "done1", type: "complete", z: "tab1", scope: ["mail1"], uncaught: false, wires: [["ack1"]] },
    { id: "ack1", type: "box-events-ack", z: "tab1", name: "", wires: [] },
  ];
}

/**
 * The issue's "done when": a real Node-RED and a real SMTP server; the server refuses every mail for 30 s while
 * 50 events arrive, and Node-RED is killed (SIGKILL) and started again in that time. Every event ends up mailed;
 * the only repeats allowed are of mails the server had accepted before the kill.
 */
describe("acknowledged delivery through a real SMTP server, across a SIGKILL", function () {
  this.timeout(240_000);
  let emulator: BoxEmulator;
  let mailServer: MailServer;
  let nodeRed: NodeRedProcess | undefined;

  before(async () => {
    emulator = await startEmulator({ realtimeTimeoutMs: 30_000 });
    mailServer = await MailServer.start();
  });
  after(async () => {
    await nodeRed?.stop();
    await mailServer.close();
    await emulator.close();
  });

  it(`mails all ${EVENTS} events after the mail server refused them for 30 s and Node-RED was killed once`, async () => {
    nodeRed = await NodeRedProcess.start({
      modules: ["node-red-node-email"],
      settings: { contextStorage: { default: { module: "localfilesystem", config: { flushInterval: 1 } } } },
    });
    await nodeRed.deploy(mailFlow(emulator, emulator.issueToken(), mailServer.port));
    await waitFor(() => emulator.heldPolls() === 1, "the first long poll", 30_000);
    const mailedIds = () => mailServer.mails.map((m) => (m.subject ?? "").replace(/^event /, ""));

    // a few go through while the server takes mail
    const created = emulator.createEvents(5).map((e) => e.event_id);
    await waitFor(() => mailServer.mails.length >= 5, "the first mails", 30_000);

    mailServer.refusing = true;
    const refusedFrom = Date.now();
    let acceptedBeforeKill = new Set<string>();
    for (let i = 0; i < EVENTS; i++) {
      created.push(emulator.createEvents(1)[0].event_id);
      if (i === EVENTS / 2) {
        acceptedBeforeKill = new Set(mailedIds());
        await nodeRed.stop("SIGKILL");
        await nodeRed.restart();
      }
      await delay(300);
    }
    await delay(Math.max(0, refusedFrom + REFUSE_MS - Date.now()));
    const mailedWhileRefusing = mailServer.mails.length - 5;
    mailServer.refusing = false;

    await waitFor(
      () => {
        const got = new Set(mailedIds());
        return created.every((id) => got.has(id));
      },
      `all ${created.length} events mailed`,
      120_000,
    );
    await delay(1000);
    const counts = new Map<string, number>();
    for (const id of mailedIds()) counts.set(id, (counts.get(id) ?? 0) + 1);
    const lost = created.filter((id) => !counts.has(id));
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    console.log(
      `      events ${created.length}, mails ${mailServer.mails.length}, lost ${lost.length}, repeated ${repeated.length}` +
        ` (accepted before the kill: ${repeated.filter((id) => acceptedBeforeKill.has(id)).length})`,
    );
    should(mailedWhileRefusing).equal(0);
    should(lost).eql([], "events lost");
    should(repeated.filter((id) => !acceptedBeforeKill.has(id))).eql(
      [],
      "repeats of mails not accepted before the kill",
    );
    should([...counts.keys()].filter((id) => !created.includes(id))).eql([], "mails for unknown events");
    should(nodeRed.output).not.match(/Unhandled|TypeError|ReferenceError/);
  });
});
