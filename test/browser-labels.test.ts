import should from "should";
import type { Page } from "playwright-core";
import { NodeRedProcess } from "./support/node-red-process";
import { hasChromium, launchBrowser, saveScreenshot, SKIP_MESSAGE, type Browser } from "./support/browser";

/** In page.evaluate callbacks: the editor's globals and the DOM, as far as the test uses them. */
interface Rect {
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface Element {
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  checkVisibility(): boolean;
  querySelectorAll(selector: string): { forEach(each: (el: Element) => void): void };
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<Element>;
  createRange(): { selectNodeContents(node: Element): void; getClientRects(): ArrayLike<Rect> };
};
declare const RED: {
  nodes: { node(id: string): unknown };
  editor: { edit(node: unknown): void; editConfig(name: string, type: string, id: string): void };
};

const FLOW = [
  { id: "tab", type: "tab", label: "Flow 1" },
  { id: "cfg", type: "box-config", authType: "ccg", apiBaseUrl: "http://127.0.0.1:9", subjectId: "100001" },
  { id: "events", type: "box-events-in", z: "tab", box: "cfg", x: 150, y: 100, wires: [[]] },
  { id: "api", type: "box-api", z: "tab", box: "cfg", operation: "file.get", x: 350, y: 100, wires: [[]] },
  { id: "ack", type: "box-events-ack", z: "tab", x: 550, y: 100, wires: [] },
];

/**
 * The visible `.form-row > label`s of the open dialog (the topmost tray) whose text takes more than one line
 * (a text box starts below the first line's bottom) or does not fit its box.
 */
async function wrappedLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const trays = document.querySelectorAll(".red-ui-tray");
    const wrapped: string[] = [];
    trays[trays.length - 1].querySelectorAll(".form-row > label").forEach((label) => {
      const text = (label.textContent ?? "").replace(/\s+/g, " ").trim();
      if (!text || !label.checkVisibility()) return;
      const range = document.createRange();
      range.selectNodeContents(label);
      const boxes = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
      if (boxes.length === 0) return;
      const firstLineBottom = Math.min(...boxes.map((r) => r.bottom));
      if (boxes.some((r) => r.top >= firstLineBottom - 1)) wrapped.push(`${text} (wraps)`);
      else if (label.scrollWidth > label.clientWidth + 1) wrapped.push(`${text} (overflows)`);
    });
    return wrapped;
  });
}

async function editNode(page: Page, id: string, ready: string): Promise<void> {
  await page.evaluate((nodeId) => RED.editor.edit(RED.nodes.node(nodeId)), id);
  await page.locator(ready).waitFor();
}

async function cancelNode(page: Page, ready: string): Promise<void> {
  await page.click("#node-dialog-cancel");
  await page.locator(ready).waitFor({ state: "detached" });
}

/** Every dialog of the package in the states that show different rows, with the labels that wrapped in each. */
async function wrappedInEveryDialog(page: Page): Promise<string[]> {
  const found: string[] = [];
  const note = async (dialog: string) => (await wrappedLabels(page)).forEach((l) => found.push(`${dialog}: ${l}`));

  await page.evaluate(() => RED.editor.editConfig("", "box-config", "cfg"));
  await page.locator("#node-config-input-authType").waitFor();
  for (const auth of ["ccg", "jwt", "oauth2", "developerToken"]) {
    await page.selectOption("#node-config-input-authType", auth);
    // OAuth 2.0's refresh token sits under Advanced, folded
    if (auth === "oauth2") await page.click("#box-config-row-refreshToken > summary");
    await note(`box-config ${auth}`);
  }
  await page.click("#node-config-dialog-cancel");
  await page.locator("#node-config-input-authType").waitFor({ state: "detached" });

  await editNode(page, "events", "#node-input-streamType");
  await page.selectOption("#node-input-startFrom", "position");
  await page.selectOption("#node-input-ack", "flow");
  for (const stream of ["all", "admin_logs_streaming", "admin_logs"]) {
    await page.selectOption("#node-input-streamType", stream);
    await note(`box-events-in ${stream}`);
  }
  await cancelNode(page, "#node-input-streamType");

  await editNode(page, "api", "#node-input-operation");
  const operations = await page
    .locator("#node-input-operation option")
    .evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value));
  for (const operation of operations) {
    await page.selectOption("#node-input-operation", operation);
    await note(`box-api ${operation}`);
  }
  await cancelNode(page, "#node-input-operation");

  await editNode(page, "ack", "#node-input-name");
  await note("box-events-ack");
  await cancelNode(page, "#node-input-name");
  return found;
}

describe("dialog labels fit on one line in a real browser", function () {
  this.timeout(180_000);
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;

  before(async function () {
    if (!hasChromium()) {
      console.log(SKIP_MESSAGE);
      this.skip();
    }
    nr = await NodeRedProcess.start();
    await nr.deploy(FLOW);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && browser) {
      saveScreenshot(await browser.page.screenshot().catch(() => Buffer.alloc(0)), "browser-labels-failure.png");
    }
    await browser?.close();
    browser = undefined;
  });

  after(async () => {
    await nr?.stop();
  });

  for (const locale of ["en-US", "de-DE"]) {
    it(`no label wraps in any dialog (${locale})`, async () => {
      browser = await launchBrowser(locale);
      const page = browser.page;
      page.setDefaultTimeout(20_000);
      const pageErrors: string[] = [];
      page.on("pageerror", (err) => pageErrors.push(err.message));
      await page.goto(nr!.url);
      await page.locator('#red-ui-workspace-chart [id="events"]').waitFor();
      should(await wrappedInEveryDialog(page)).eql([]);
      should(pageErrors).eql([]);
    });
  }
});
