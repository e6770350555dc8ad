import should from "should";
import { startEmulator, BoxEmulator } from "../emulator";
import { Browser, canvasNode, EditorRED, hasChromium, launchBrowser } from "./support/browser";
import { NodeRedProcess } from "./support/node-red-process";

declare const RED: EditorRED;

/** The dialog's Acknowledge fields and the box ack node, in a real editor (Chromium) on a real Node-RED. */
describe("editor: acknowledged delivery fields and the box ack node", function () {
  this.timeout(120_000);
  let emulator: BoxEmulator;
  let nodeRed: NodeRedProcess | undefined;
  let browser: Browser | undefined;

  before(async function () {
    if (!hasChromium()) this.skip();
    emulator = await startEmulator();
    nodeRed = await NodeRedProcess.start({
      flows: [
        { id: "tab1", type: "tab", label: "Box" },
        { id: "cfg1", type: "box-config", authType: "developerToken", apiBaseUrl: emulator.apiUrl },
        { id: "in1", type: "box-events-in", z: "tab1", box: "cfg1", x: 150, y: 100, wires: [["ack1"]] },
        { id: "ack1", type: "box-events-ack", z: "tab1", x: 400, y: 100, wires: [] },
      ],
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await nodeRed?.stop();
    await emulator?.close();
  });

  it("shows At most and Resend after only for flow, saves numbers, and marks an out-of-range value invalid", async function () {
    if (!browser || !nodeRed) return this.skip();
    const page = browser.page;
    page.setDefaultTimeout(20_000);
    await page.goto(nodeRed.url);
    await page.locator('.red-ui-palette-node[data-palette-type="box-events-ack"]').waitFor();
    should(await canvasNode(page, "ack1").locator(".red-ui-flow-node-label").textContent()).match(/Box ack/);

    const open = async () => {
      await canvasNode(page, "in1").locator(".red-ui-flow-node").dblclick();
      await page.locator("#node-input-ack").waitFor();
    };
    const done = async () => {
      await page.click("#node-dialog-ok");
      await page.locator("#node-input-ack").waitFor({ state: "detached" });
    };
    await open();
    should(await page.locator("#node-input-ack").inputValue()).equal("delivered");
    should(await page.locator("#box-events-in-maxInFlight").isVisible()).be.false();
    await page.selectOption("#node-input-ack", "flow");
    should(await page.locator("#box-events-in-maxInFlight").inputValue()).equal("100");
    should(await page.locator("#box-events-in-redeliverAfter").inputValue()).equal("0");
    await page.fill("#box-events-in-maxInFlight", "0");
    await done();
    const invalid = await page.evaluate(() => RED.nodes.node("in1"));
    should(invalid).have.properties({ ack: "flow", maxInFlight: 0, valid: false });

    await open();
    await page.fill("#box-events-in-maxInFlight", "50");
    await page.fill("#box-events-in-redeliverAfter", "30");
    await done();
    const saved = await page.evaluate(() => RED.nodes.node("in1"));
    should(saved).have.properties({ ack: "flow", maxInFlight: 50, redeliverAfter: 30, valid: true });
  });
});
