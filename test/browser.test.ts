import should from "should";
import type { Page } from "playwright-core";
import { startEmulator, type BoxEmulator } from "../emulator/index";
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
} from "./support/browser";

const README_IMAGES = "docs/images";

/** In page.evaluate callbacks: the editor's globals. */
declare const RED: any;
declare const document: any;

async function visible(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).isVisible();
}

async function assertRows(page: Page, shown: string[], hidden: string[]): Promise<void> {
  for (const id of shown) should(await visible(page, `#node-config-input-${id}`)).be.true(`${id} should be visible`);
  for (const id of hidden) should(await visible(page, `#node-config-input-${id}`)).be.false(`${id} should be hidden`);
}

describe("editor in a real browser", function () {
  this.timeout(90_000);
  let emu: BoxEmulator | undefined;
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;

  before(async function () {
    if (!hasChromium()) {
      console.log(SKIP_MESSAGE);
      this.skip();
    }
    emu = await startEmulator();
    nr = await NodeRedProcess.start();
    browser = await launchBrowser();
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && browser) {
      saveScreenshot(await browser.page.screenshot().catch(() => Buffer.alloc(0)), "browser-test-failure.png");
      console.log(`      Node-RED output:\n${nr?.output.slice(-3000)}`);
    }
  });

  after(async () => {
    await browser?.close();
    await nr?.stop();
    await emu?.close();
  });

  let folders: { invoices: string; year: string; other: string };

  async function deployedProperty(id: string, key: string): Promise<unknown> {
    const flows = (await (await fetch(`${nr!.url}/flows`)).json()) as Array<Record<string, unknown>>;
    return flows.find((n) => n.id === id)?.[key];
  }

  /** Browses to All Files / Invoices / 2026 and picks it, types another ID, then deploys a folder-scoped node. */
  async function pickFolder(page: Page, eventsId: string): Promise<void> {
    const invoices = emu!.items.createFolder("Invoices").folder.id as string;
    const year = emu!.items.createFolder("2026", invoices).folder.id as string;
    const other = emu!.items.createFolder("Other").folder.id as string;
    folders = { invoices, year, other };
    const label = page.locator("#box-events-in-folder-label");
    const entry = (id: string) => page.locator(`#box-events-in-folder-panel li a[data-folder-id="${id}"]`);
    await canvasNode(page, eventsId).locator(".red-ui-flow-node").dblclick();
    await page.locator("#node-input-folderId").waitFor();
    should(await label.innerText()).match(/Whole account/);
    await page.click("#box-events-in-browse");
    should(await entry(other).innerText()).match(/Other/);
    await entry(invoices).click();
    await entry(year).click();
    await page.locator(".box-events-in-crumbs", { hasText: "2026" }).waitFor();
    await page.click(".box-events-in-choose");
    should(await page.inputValue("#node-input-folderId")).equal(year);
    should(await label.innerText()).equal("All Files / Invoices / 2026");
    should(await page.locator("#box-events-in-folder-panel").isVisible()).be.false();
    // An ID typed by hand still works, and shows its folder's name and path.
    await page.fill("#node-input-folderId", other);
    await page.locator("#box-events-in-folder-label", { hasText: "All Files / Other" }).waitFor();
    await page.fill("#node-input-folderId", invoices);
    await page.locator("#box-events-in-folder-label", { hasText: "All Files / Invoices" }).waitFor();
    await page.click("#box-events-in-browse"); // opens at the chosen folder
    await entry(year).waitFor();
    await page.mouse.move(0, 0);
    await page.evaluate(() =>
      document
        .querySelectorAll(".red-ui-tray *")
        .forEach(
          (el: { scrollTop: number; scrollTo(x: number, y: number): void }) => el.scrollTop > 0 && el.scrollTo(0, 0),
        ),
    );
    saveScreenshot(await page.locator(".red-ui-tray").last().screenshot(), "box-events-in-dialog.png", README_IMAGES);
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-folderId").waitFor({ state: "detached" });
    await page.evaluate(() =>
      document.querySelectorAll(".red-ui-notification").forEach((n: { remove(): void }) => n.remove()),
    );
    await page.click("#red-ui-header-button-deploy");
    // the answer to the deploy comes once the old node stopped and the new one started
    await page.locator(".red-ui-notification-success").first().waitFor();
    should(await deployedProperty(eventsId, "folderId")).equal(invoices);
    // Only events in the folder (here: its subfolder) reach the debug sidebar.
    await page.evaluate(() => RED.sidebar.show("debug"));
    const outside = emu!.items.uploadFile("outside.pdf", other, "x").event;
    const inside = emu!.items.uploadFile("inside.pdf", year, "y").event;
    const inDebug = (id: string) => page.locator(".red-ui-debug-msg", { hasText: id.slice(0, 20) });
    await inDebug(inside.event_id).waitFor();
    should(await inDebug(outside.event_id).count()).equal(0);
  }

  it("configures, deploys and shows Box events through the dialogs", async () => {
    const page = browser!.page;
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));

    await page.goto(nr!.url);
    const paletteNode = page.locator('.red-ui-palette-node[data-palette-type="box-events-in"]');
    await paletteNode.waitFor();
    should(await paletteNode.innerText()).match(/box events/);
    should(
      await page.evaluate(() => ({
        config: RED.nodes.getType("box-config")?.category,
        events: RED.nodes.getType("box-events-in")?.category,
      })),
    ).eql({ config: "config", events: "storage" });

    // The event node, from the palette onto the canvas, and its dialog.
    const eventsId = await addNodeFromPalette(page, "box-events-in", { x: 220, y: 160 });
    await canvasNode(page, eventsId).locator(".red-ui-flow-node").dblclick();
    await page.locator("#node-input-streamType").waitFor();
    should(await page.locator("#node-input-streamType").inputValue()).equal("all");
    should(await page.locator("#node-input-startFrom").inputValue()).equal("now");
    should(await page.locator("#node-input-resume").isChecked()).be.true();
    should(await visible(page, "#node-input-position")).be.false();
    await page.selectOption("#node-input-startFrom", "position");
    should(await visible(page, "#node-input-position")).be.true();
    await page.selectOption("#node-input-startFrom", "now");
    await page.locator('#node-input-eventTypes-list input[value="ITEM_UPLOAD"]').check();
    await page.locator('#node-input-eventTypes-list input[value="COMMENT_CREATE"]').check();
    await page.fill("#node-input-eventTypes-other", "item_modify, ");

    // A new box-config from inside it: each auth type shows its own fields.
    await page.click("#node-input-btn-box-add");
    await page.locator("#node-config-input-authType").waitFor();
    should(await page.locator("#node-config-input-authType").inputValue()).equal("ccg");
    should(await page.locator("#node-config-input-apiBaseUrl").inputValue()).equal("https://api.box.com");
    should(await page.locator("#node-config-input-refreshToken").count()).equal(0);
    await assertRows(
      page,
      ["name", "clientId", "clientSecret", "subjectType", "subjectId", "apiBaseUrl"],
      ["jwtConfig", "accessToken", "redirectUri"],
    );
    should(await visible(page, "#box-config-test")).be.true();
    should(await visible(page, "#box-config-authorize")).be.false();
    saveScreenshot(await page.locator(".red-ui-tray").last().screenshot(), "box-config-dialog.png", README_IMAGES);

    await page.selectOption("#node-config-input-authType", "jwt");
    await assertRows(
      page,
      ["jwtConfig", "subjectType", "subjectId"],
      ["clientId", "clientSecret", "accessToken", "redirectUri"],
    );

    await page.selectOption("#node-config-input-authType", "oauth2");
    await assertRows(page, ["clientId", "clientSecret", "redirectUri"], ["jwtConfig", "accessToken", "subjectId"]);
    should(await visible(page, "#box-config-authorize")).be.true();
    should(await page.locator("#node-config-input-redirectUri").inputValue()).equal(
      `${nr!.url}/box-config/oauth2/callback`,
    );

    await page.selectOption("#node-config-input-authType", "developerToken");
    await assertRows(
      page,
      ["accessToken", "apiBaseUrl"],
      ["clientId", "clientSecret", "jwtConfig", "subjectId", "redirectUri"],
    );
    should(await visible(page, "#box-config-test")).be.true();

    await page.fill("#node-config-input-name", "Emulator");
    await page.fill("#node-config-input-accessToken", emu!.issueToken());
    await page.fill("#node-config-input-apiBaseUrl", emu!.apiUrl);
    await page.click("#box-config-test");
    const result = page.locator("#box-config-test-result");
    await page.waitForFunction(() => {
      const el = document.getElementById("box-config-test-result");
      return !!el && /box-config-(ok|error)/.test(el.className);
    });
    const resultText = await result.innerText();
    if (/404/.test(resultText)) {
      console.log(`      (the box-config/test admin endpoint is not there yet: "${resultText}")`);
    } else {
      should(resultText).match(/^Connected as .+ \(.+\)$/);
    }
    await page.click("#node-config-dialog-ok");
    await page.locator("#node-config-input-authType").waitFor({ state: "detached" });
    should(await page.locator("#node-input-box option:checked").innerText()).equal("Emulator");
    // The folder picker needs the config node deployed: until then it says so.
    should(await page.locator("#box-events-in-folder-label").innerText()).match(/Whole account/);
    await page.click("#box-events-in-browse");
    await page.locator("#box-events-in-folder-panel", { hasText: "Deploy the Box config node first" }).waitFor();
    await page.click("#box-events-in-browse");
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-streamType").waitFor({ state: "detached" });

    const saved = await page.evaluate((id) => {
      const n = RED.nodes.node(id);
      return {
        eventTypes: n.eventTypes,
        streamType: n.streamType,
        resume: n.resume,
        box: RED.nodes.node(n.box)?.authType,
      };
    }, eventsId);
    should(saved).eql({
      eventTypes: ["ITEM_UPLOAD", "COMMENT_CREATE", "ITEM_MODIFY"],
      streamType: "all",
      resume: true,
      box: "developerToken",
    });

    // A debug node, wired by mouse, then deploy.
    const debugId = await addNodeFromPalette(page, "debug", { x: 600, y: 160 });
    await wire(page, eventsId, debugId);
    await page.waitForFunction(
      ([from, to]) => RED.nodes.filterLinks({ source: { id: from } }).some((l: any) => l.target.id === to),
      [eventsId, debugId] as const,
    );
    await page.click("#red-ui-header-button-deploy");
    const status = canvasNode(page, eventsId).locator(".red-ui-flow-node-status-label");
    await page.waitForFunction((id) => {
      const label = document.querySelector(`#red-ui-workspace-chart [id="${id}"] .red-ui-flow-node-status-label`);
      return label?.textContent?.includes("polling");
    }, eventsId);
    should(await canvasNode(page, eventsId).locator(".red-ui-flow-node-status-dot-green").count()).equal(1);
    should(await status.textContent()).match(/polling/);

    // Events from the emulator arrive in the debug sidebar; the filter drops the others.
    await page.evaluate(() => RED.sidebar.show("debug")); // the sidebar's markup differs between Node-RED 4 and 5
    emu!.createEvent({ event_type: "ITEM_TRASH" });
    const upload = emu!.createEvent({ event_type: "ITEM_UPLOAD" });
    const message = page.locator(
      ".red-ui-debug-msg",
      { hasText: upload.event_id.slice(0, 20) } /* the sidebar shortens long strings */,
    );
    await message.waitFor();
    const chart = (await page.locator("#red-ui-workspace-chart").boundingBox())!;
    should(await message.innerText()).match(/ITEM_UPLOAD/);
    should(await page.locator(".red-ui-debug-msg", { hasText: "ITEM_TRASH" }).count()).equal(0);
    await page.mouse.click(chart.x + 700, chart.y + 500); // nothing selected, no tooltip: a clean canvas
    // Filter the palette down to this package's node.
    await page.locator("#red-ui-palette-search input").pressSequentially("box events");
    await page.locator('.red-ui-palette-node[data-palette-type="inject"]').waitFor({ state: "hidden" });
    await page.evaluate(() => document.querySelectorAll(".red-ui-notification").forEach((n: any) => n.remove()));
    saveScreenshot(await page.screenshot(), "editor-canvas.png", README_IMAGES);

    // The help page of the node.
    await canvasNode(page, eventsId).locator(".red-ui-flow-node").click();
    await page.evaluate(() => RED.sidebar.show("help"));
    const help = page.locator("#red-ui-sidebar", { hasText: "streamPosition" });
    await help.waitFor();
    for (const text of ["Outputs", "Details", "Status", "References", "msg.payload", "polling"]) {
      should(await help.innerText()).containEql(text.replace("msg.", ""));
    }
    saveScreenshot(await page.screenshot(), "help.png");

    await pickFolder(page, eventsId);

    // What the editor deployed is what the runtime runs.
    const flows = (await (await fetch(`${nr!.url}/flows`)).json()) as Array<Record<string, unknown>>;
    const deployed = flows.find((n) => n.id === eventsId);
    should(deployed).have.properties({
      type: "box-events-in",
      eventTypes: ["ITEM_UPLOAD", "COMMENT_CREATE", "ITEM_MODIFY"],
      folderId: folders.invoices,
      includeSubfolders: true,
    });
    should(pageErrors).eql([]);
  });
});
