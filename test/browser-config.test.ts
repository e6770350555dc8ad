import should from "should";
import fs from "fs";
import path from "path";
import type { Page } from "playwright-core";
import { demoFlow } from "../demo/flow";
import { NodeRedProcess } from "./support/node-red-process";
import {
  addNodeFromPalette,
  canvasNode,
  hasChromium,
  launchBrowser,
  saveScreenshot,
  SKIP_MESSAGE,
  type Browser,
  type EditorRED,
} from "./support/browser";

declare const RED: EditorRED;

/** Nothing listens there: the nodes' statuses do not matter here, only what the editor says about their settings. */
const NOWHERE = "http://127.0.0.1:9";

const FLOW = [
  { id: "tab", type: "tab", label: "Flow 1" },
  { id: "cfg-good", type: "box-config", authType: "ccg", apiBaseUrl: NOWHERE, subjectId: "100001" },
  { id: "in-good", type: "box-events-in", z: "tab", box: "cfg-good", x: 200, y: 100, wires: [[]] },
  // plain http to a host that is not this machine: the runtime refuses to send a token there
  { id: "cfg-bad", type: "box-config", authType: "developerToken", apiBaseUrl: "http://box.example.com" },
  { id: "in-bad", type: "box-events-in", z: "tab", box: "cfg-bad", x: 200, y: 200, wires: [[]] },
];

const EXAMPLES_DIR = path.resolve(__dirname, "../../examples");

/** The config nodes users start from (each example flow and the demo), under ids of their own: they must stay valid. */
function shippedConfigs(): Array<Record<string, unknown>> {
  const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json"));
  const flows = files.map((f) => ({
    from: f,
    nodes: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), "utf8")) as Array<Record<string, unknown>>,
  }));
  flows.push({
    from: "demo",
    nodes: demoFlow("http://127.0.0.1:8080", "id", "secret").flows as (typeof flows)[0]["nodes"],
  });
  return flows.flatMap(({ from, nodes }) =>
    nodes.filter((n) => n.type === "box-config").map((n) => ({ ...n, id: `shipped-${from}-${String(n.id)}` })),
  );
}

const REASONS = {
  en: {
    apiBaseUrl: "API URL: https://… (http:// only for localhost or 127.0.0.1), without ? or #",
    subjectId: "Subject ID: digits only, or ${NAME}",
    userIdRequired: "Subject ID: the user's ID is required for a user",
  },
  de: {
    apiBaseUrl: "API-URL: https://… (http:// nur für localhost oder 127.0.0.1), ohne ? oder #",
    subjectId: "Subjekt-ID: nur Ziffern oder ${NAME}",
  },
};

async function openConfig(page: Page, id: string): Promise<void> {
  await page.evaluate((cfg) => RED.editor.editConfig("", "box-config", cfg), id);
  await page.locator("#node-config-input-authType").waitFor();
}

async function closeConfig(page: Page, button: "ok" | "cancel"): Promise<void> {
  await page.click(`#node-config-dialog-${button}`);
  await page.locator("#node-config-input-authType").waitFor({ state: "detached" });
}

/** Types into a field and leaves it with Tab, as a user does. */
async function typeAndLeave(page: Page, field: string, value: string): Promise<void> {
  await page.fill(`#node-config-input-${field}`, value);
  await page.press(`#node-config-input-${field}`, "Tab");
}

/** The field turns red, and hovering it shows the reason (Node-RED 4's error tooltip). */
async function shownAsWrong(page: Page, field: string, text: string): Promise<void> {
  const input = page.locator(`#node-config-input-${field}`);
  await page.locator(`#node-config-input-${field}.input-error`).waitFor();
  await input.hover();
  await page.locator(".red-ui-popover", { hasText: text }).waitFor();
  await page.mouse.move(0, 0);
  await page.locator(".red-ui-popover", { hasText: text }).waitFor({ state: "detached" });
}

async function shownAsRight(page: Page, field: string): Promise<void> {
  await page.locator(`#node-config-input-${field}:not(.input-error)`).waitFor({ state: "attached" });
}

describe("box-config dialog catches mistakes in a real browser", function () {
  this.timeout(120_000);
  let nr: NodeRedProcess | undefined;
  const browsers: Browser[] = [];
  const pageErrors: string[] = [];

  async function open(locale: string): Promise<Page> {
    const browser = await launchBrowser(locale);
    browsers.push(browser);
    const page = browser.page;
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (err) => pageErrors.push(`${err.message} ${err.stack ?? ""}`));
    await page.goto(nr!.url);
    await canvasNode(page, "in-good").waitFor();
    return page;
  }

  before(async function () {
    if (!hasChromium()) {
      console.log(SKIP_MESSAGE);
      this.skip();
    }
    nr = await NodeRedProcess.start();
    await nr.deploy([...FLOW, ...shippedConfigs()]);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && browsers.length) {
      const page = browsers[browsers.length - 1].page;
      saveScreenshot(await page.screenshot().catch(() => Buffer.alloc(0)), "browser-config-failure.png");
    }
  });

  after(async () => {
    for (const browser of browsers) await browser.close();
    await nr?.stop();
  });

  it("a bad API URL and subject ID get a red border and the reason; fixed, both go back to normal", async () => {
    const page = await open("en-US");
    await openConfig(page, "cfg-good");
    await shownAsRight(page, "apiBaseUrl");
    await shownAsRight(page, "subjectId");

    await typeAndLeave(page, "apiBaseUrl", "http://box.example.com");
    await shownAsWrong(page, "apiBaseUrl", REASONS.en.apiBaseUrl);
    await typeAndLeave(page, "apiBaseUrl", "https://api.box.com/?region=eu");
    await shownAsWrong(page, "apiBaseUrl", REASONS.en.apiBaseUrl);
    await typeAndLeave(page, "subjectId", "acme-corp");
    await shownAsWrong(page, "subjectId", REASONS.en.subjectId);

    await typeAndLeave(page, "apiBaseUrl", "https://api.box.com");
    await shownAsRight(page, "apiBaseUrl");
    await typeAndLeave(page, "subjectId", "${BOX_ENTERPRISE_ID}");
    await shownAsRight(page, "subjectId");
    await typeAndLeave(page, "subjectId", "100001");
    await shownAsRight(page, "subjectId");

    // acting for a user needs the user's ID; the same empty field is fine for JWT (the app's enterprise)
    await page.fill("#node-config-input-subjectId", "");
    await page.selectOption("#node-config-input-subjectType", "user");
    await shownAsWrong(page, "subjectId", REASONS.en.userIdRequired);
    await page.selectOption("#node-config-input-authType", "jwt");
    await shownAsRight(page, "subjectId");
    // a field of another auth type is never held against this one
    await page.selectOption("#node-config-input-authType", "developerToken");
    await shownAsRight(page, "clientId");
    await closeConfig(page, "cancel");
    should(pageErrors).eql([]);
  });

  it("a deployed config with a bad API URL puts a red triangle on the box events node that uses it", async () => {
    const page = await open("en-US");
    await canvasNode(page, "in-bad").locator(".red-ui-flow-node-error:not(.hide)").waitFor();
    should(await canvasNode(page, "in-good").locator(".red-ui-flow-node-error").getAttribute("class")).match(
      /\bhide\b/,
    );
    should(await page.evaluate(() => RED.nodes.node("cfg-bad")?.validationErrors)).eql([REASONS.en.apiBaseUrl]);

    // fixed in its dialog, the triangle goes
    await openConfig(page, "cfg-bad");
    await shownAsWrong(page, "apiBaseUrl", REASONS.en.apiBaseUrl);
    await typeAndLeave(page, "apiBaseUrl", "http://localhost:8080");
    await shownAsRight(page, "apiBaseUrl");
    await closeConfig(page, "ok");
    await canvasNode(page, "in-bad").locator(".red-ui-flow-node-error.hide").waitFor({ state: "attached" });
    should(pageErrors).eql([]);
  });

  it("the config nodes of the example flows and the demo are valid in the editor", async () => {
    const page = await open("en-US");
    const ids = shippedConfigs().map((n) => n.id as string);
    should(ids.length).be.above(8);
    const invalid = await page.evaluate((all) => all.filter((id) => RED.nodes.node(id)?.valid !== true), ids);
    should(invalid).eql([]);
  });

  it("a new config node added without touching a field gets no red triangle", async () => {
    const page = await open("en-US");
    const eventsId = await addNodeFromPalette(page, "box-events-in", { x: 450, y: 100 });
    await canvasNode(page, eventsId).locator(".red-ui-flow-node").dblclick();
    await page.locator("#node-input-streamType").waitFor();
    await page.locator("#node-input-btn-box-add, #node-input-lookup-box").first().click();
    await page.locator("#node-config-input-authType").waitFor();
    await closeConfig(page, "ok");
    const cfgId = await page.locator("#node-input-box").inputValue();
    should(cfgId).not.equal("_ADD_");
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-streamType").waitFor({ state: "detached" });
    should(await page.evaluate((id) => RED.nodes.node(id)?.valid, cfgId)).be.true();
    should(await page.evaluate((id) => RED.nodes.node(id)?.valid, eventsId)).be.true();
    should(await canvasNode(page, eventsId).locator(".red-ui-flow-node-error").getAttribute("class")).match(/\bhide\b/);
    should(pageErrors).eql([]);
  });

  it("a German browser reads the reasons in German", async () => {
    const page = await open("de-DE");
    await openConfig(page, "cfg-good");
    await typeAndLeave(page, "apiBaseUrl", "ftp://box.example.com");
    await shownAsWrong(page, "apiBaseUrl", REASONS.de.apiBaseUrl);
    await typeAndLeave(page, "subjectId", "12ab");
    await shownAsWrong(page, "subjectId", REASONS.de.subjectId);
    await closeConfig(page, "cancel");
    should(pageErrors).eql([]);
  });
});
