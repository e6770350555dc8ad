import should from "should";
import type { Page } from "playwright-core";
import { startEmulator, type BoxEmulator } from "../emulator";
import { NodeRedProcess } from "./support/node-red-process";
import {
  addNodeFromPalette,
  canvasNode,
  hasChromium,
  launchBrowser,
  saveScreenshot,
  SKIP_MESSAGE,
  wire,
  type Browser,
  type EditorRED,
} from "./support/browser";

declare const RED: EditorRED;
declare const window: unknown;
declare const $: (selector: string) => {
  typedInput(method: string, value: string): void;
  trigger(event: string): void;
};

const README_IMAGES = "docs/images";
/** The id of the config node the first test adds in the events dialog. */
let cfgId = "";

/** Deploys; done once the runtime accepted the flows (the editor's own `deploy` event). */
async function deploy(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { deployed: boolean };
    w.deployed = false;
    (RED as unknown as { events: { on(e: string, f: () => void): void } }).events.on("deploy", () => {
      w.deployed = true;
    });
  });
  await page.click("#red-ui-header-button-deploy");
  await page.waitForFunction(() => (window as unknown as { deployed: boolean }).deployed);
}

/** Opens a debug message in the sidebar, and then each nested key in turn (as a user clicks through it). */
async function expand(page: Page, index: number, keys: string[]) {
  const message = page.locator(".red-ui-debug-msg").nth(index);
  await message.waitFor();
  await message.locator(".red-ui-debug-msg-object-handle").first().click();
  for (const key of keys) {
    await message
      .locator(".red-ui-debug-msg-object-key:visible", { hasText: new RegExp(`^${key}$`) })
      .first()
      .click();
  }
  return message;
}

/** Sets a TypedInput field as typing into it does. */
async function typeInto(page: Page, field: string, value: string): Promise<void> {
  await page.evaluate(
    ([f, v]) => {
      $(`#node-input-${f}`).typedInput("value", v);
      $(`#node-input-${f}`).trigger("change");
    },
    [field, value] as const,
  );
}

/** Opens a box-api node's dialog, picks an operation (and sets fields), and closes it with Done. */
async function configure(page: Page, id: string, operation: string, fields: Record<string, string> = {}) {
  await canvasNode(page, id).locator(".red-ui-flow-node").dblclick();
  await page.locator(`#node-input-operation option[value="${operation}"]`).waitFor({ state: "attached" });
  if ((await page.locator("#node-input-box").inputValue()) !== cfgId) await page.selectOption("#node-input-box", cfgId);
  await page.selectOption("#node-input-operation", operation);
  for (const [field, value] of Object.entries(fields)) await typeInto(page, field, value);
  await page.click("#node-dialog-ok");
  await page.locator("#node-input-operation").waitFor({ state: "detached" });
}

/**
 * box events (scoped to a folder) → box api → debug, built in the editor by picking operations from the
 * select, against the emulator; what reaches the debug sidebar is what a user sees.
 */
describe("box api in a real browser", function () {
  this.timeout(120_000);
  let emu: BoxEmulator;
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let apiId: string;
  let eventsId: string;
  let folder: string;
  const pageErrors: string[] = [];

  before(async function () {
    if (!hasChromium()) {
      console.log(SKIP_MESSAGE);
      this.skip();
    }
    emu = await startEmulator();
    folder = emu.items.createFolder("Inbox").folder.id as string;
    nr = await NodeRedProcess.start();
    // only a debug node is deployed: the config node, box events and box api are built in the dialogs
    await nr.deploy([
      { id: "tab", type: "tab", label: "Flow 1" },
      {
        id: "debug",
        type: "debug",
        z: "tab",
        active: true,
        complete: "true",
        console: false,
        tosidebar: true,
        x: 700,
        y: 100,
        wires: [],
      },
    ]);
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (err) => pageErrors.push(`${err.message} ${err.stack ?? ""}`));
    await page.goto(nr.url);
    await page.locator('.red-ui-palette-node[data-palette-type="box-api"]').waitFor();
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && browser) {
      saveScreenshot(await browser.page.screenshot().catch(() => Buffer.alloc(0)), "browser-api-failure.png");
      console.log(`      Node-RED output:\n${nr?.output.slice(-3000)}`);
    }
  });

  after(async () => {
    await browser?.close();
    await nr?.stop();
    await emu?.close();
  });

  it("box events: a new config node, and the folder picked with the picker before anything is deployed", async () => {
    eventsId = await addNodeFromPalette(page, "box-events-in", { x: 150, y: 100 });
    await canvasNode(page, eventsId).locator(".red-ui-flow-node").dblclick();
    await page.locator("#node-input-streamType").waitFor();
    // the + beside the select (Node-RED before 4.1: the pencil, with "Add new box-config..." selected)
    await page.locator("#node-input-btn-box-add, #node-input-lookup-box").first().click();
    await page.locator("#node-config-input-authType").waitFor();
    await page.selectOption("#node-config-input-authType", "developerToken");
    await page.fill("#node-config-input-apiBaseUrl", emu.apiUrl);
    await page.fill("#node-config-input-accessToken", emu.issueToken());
    await page.click("#node-config-dialog-ok");
    await page.locator("#node-config-input-authType").waitFor({ state: "detached" });
    cfgId = await page.locator("#node-input-box").inputValue();
    should(cfgId).not.equal("_ADD_");
    // left unnamed, the config node reads by its auth type and API host, never by its token
    should(await page.locator("#node-input-box option:checked").innerText()).equal(
      `Box (developer token, ${emu.apiUrl.replace(/^https?:\/\//, "")})`,
    );
    // an unknown id is a warning the node can be saved with
    await page.fill("#node-input-folderId", "987654");
    await page.locator("#box-events-in-folder-label.box-events-in-warning", { hasText: "987654" }).waitFor();
    should(await page.locator("#node-input-folderId").getAttribute("class")).not.match(/input-error/);
    await page.fill("#node-input-folderId", "");
    await page.click("#box-events-in-browse");
    await page.locator(`#box-events-in-folder-panel a[data-folder-id="${folder}"]`).click();
    await page.locator(".box-events-in-crumbs", { hasText: "Inbox" }).waitFor();
    await page.click("#box-events-in-folder-panel .box-events-in-choose");
    should(await page.locator("#node-input-folderId").inputValue()).equal(folder);
    await page.locator("#box-events-in-folder-label", { hasText: "All Files / Inbox" }).waitFor();
    await page.locator('#node-input-eventTypes-list input[value="ITEM_UPLOAD"]').check();
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-streamType").waitFor({ state: "detached" });
    should(await page.evaluate((id) => RED.nodes.node(id)?.valid, eventsId)).be.true();
  });

  it("Download: the file's name and bytes reach the debug sidebar, with only the operation picked", async () => {
    apiId = await addNodeFromPalette(page, "box-api", { x: 420, y: 100 });
    await canvasNode(page, apiId).locator(".red-ui-flow-node").dblclick();
    await page.locator('#node-input-operation option[value="file.download"]').waitFor({ state: "attached" });
    should(await page.locator("#node-input-operation").inputValue()).equal("file.get");
    if ((await page.locator("#node-input-box").inputValue()) !== cfgId)
      await page.selectOption("#node-input-box", cfgId);
    await page.selectOption("#node-input-operation", "file.download");
    should(await page.locator("#box-api-row-fileId").isVisible()).be.true();
    should(await page.locator("#box-api-row-parentId").isVisible()).be.false();
    should(await page.locator("#node-input-path").isVisible()).be.false();
    saveScreenshot(await page.locator(".red-ui-tray").last().screenshot(), "box-api-dialog.png", README_IMAGES);
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-operation").waitFor({ state: "detached" });
    await wire(page, eventsId, apiId);
    await wire(page, apiId, "debug");
    await page.waitForFunction(
      (ids) =>
        RED.nodes.filterLinks({ source: { id: ids[0] } }).length === 1 &&
        RED.nodes.filterLinks({ source: { id: ids[1] } }).length === 1,
      [apiId, eventsId],
    );
    await deploy(page);
    await page.evaluate(() => RED.sidebar.show("debug"));
    emu.items.uploadFile("quarterly-report.txt", folder, "Q3 numbers: up");
    const message = page.locator(".red-ui-debug-msg", { hasText: "buffer[14]" }).last();
    await message.waitFor();
    await message.locator(".red-ui-debug-msg-object-handle").first().click();
    await message.locator(".red-ui-debug-msg-object-key", { hasText: "filename" }).waitFor();
    const shown = await message.innerText();
    should(shown).match(/filename[\s\S]*"quarterly-report\.txt"/);
    should(shown).match(/boxHeaders/);
  });

  it("Create shared link: the link reaches the debug sidebar", async () => {
    await configure(page, apiId, "file.sharedLink");
    await deploy(page);
    const before = await page.locator(".red-ui-debug-msg").count();
    emu.items.uploadFile("slides.pdf", folder, "%PDF");
    const message = await expand(page, before, ["payload", "shared_link"]);
    await message.locator(".red-ui-debug-msg-object-key", { hasText: /^url$/ }).waitFor();
    should(await message.innerText()).match(/"https:\/\/app\.box\.com\/s\/[0-9a-f]{32}"/);
  });

  it("Upload: Download then Upload copies each new file into another folder, named by msg.filename", async () => {
    const archive = emu.items.createFolder("Archive").folder.id as string;
    await configure(page, apiId, "file.download");
    const uploadId = await addNodeFromPalette(page, "box-api", { x: 560, y: 220 });
    await configure(page, uploadId, "file.upload", { parentId: archive });
    await wire(page, apiId, uploadId);
    await wire(page, uploadId, "debug");
    await page.waitForFunction((id) => RED.nodes.filterLinks({ source: { id } }).length === 1, uploadId);
    await deploy(page);
    const before = await page.locator(".red-ui-debug-msg").count();
    emu.items.uploadFile("minutes.txt", folder, "we met");
    // the download (still wired to the debug node), then the upload's answer
    const copied = () => emu.items.tree.childrenOf(archive).find((c) => c.name === "minutes.txt");
    // the upload's answer: the new file, in the other folder
    await page
      .locator(".red-ui-debug-msg")
      .nth(before + 1)
      .waitFor();
    const message = await expand(page, before + 1, ["payload"]);
    await message
      .locator(".red-ui-debug-msg-object-key", { hasText: /^parent$/ })
      .first()
      .waitFor();
    should(await message.innerText()).match(/name[\s\S]*"minutes\.txt"/);
    const file = copied() as { content?: Buffer } | undefined;
    should(file?.content?.toString()).equal("we met");
  });

  it("a bad field shows a red border with the reason, and the node a red triangle", async () => {
    await canvasNode(page, apiId).locator(".red-ui-flow-node").dblclick();
    await page.locator('#node-input-operation option[value="file.get"]').waitFor({ state: "attached" });
    await page.selectOption("#node-input-operation", "file.get");
    await typeInto(page, "fileId", "abc");
    const container = page.locator("#box-api-row-fileId .red-ui-typedInput-container");
    await page.locator("#box-api-row-fileId .red-ui-typedInput-container.input-error").waitFor();
    should(await container.getAttribute("class")).match(/input-error/);
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-operation").waitFor({ state: "detached" });
    await canvasNode(page, apiId).locator(".red-ui-flow-node-error:not(.hide)").waitFor();
    should(await page.evaluate((id) => RED.nodes.node(id)?.valid, apiId)).be.false();
    should(pageErrors).eql([]);
  });

  it("Test connection sends only the credentials of the selected auth type (a hidden developer token stays home)", async () => {
    let sent: { authType?: string; credentials?: Record<string, unknown> } | undefined;
    await page.route("**/box-config/test", async (route) => {
      sent = route.request().postDataJSON() as typeof sent;
      await route.fulfill({ json: { ok: false, reason: "checked" } });
    });
    await page.evaluate((id) => RED.editor.editConfig("", "box-config", id), cfgId);
    await page.locator("#node-config-input-authType").waitFor();
    await page.selectOption("#node-config-input-authType", "developerToken");
    await page.fill("#node-config-input-accessToken", "a-token-typed-earlier");
    await page.selectOption("#node-config-input-authType", "oauth2");
    await page.click("#box-config-test");
    await page.locator("#box-config-test-result", { hasText: "checked" }).waitFor();
    should(sent?.authType).equal("oauth2");
    should(Object.keys(sent?.credentials ?? {}).sort()).eql(["clientId", "clientSecret"]);
    await page.click("#node-config-dialog-cancel");
    await page.unroute("**/box-config/test");
  });
});
