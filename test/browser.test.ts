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

const README_IMAGES = "docs/images";

/** In page.evaluate callbacks: the editor's globals. */
declare const RED: EditorRED;
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll<T>(selector: string): { forEach(each: (el: T) => void): void };
};

/** The credential inputs of the box-config dialog: every credential the contract names. */
const CREDENTIAL_INPUTS = ["clientId", "clientSecret", "accessToken", "refreshToken", "jwtConfig", "redisUrl"];

async function visible(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).isVisible();
}

/** The inputs shown for one auth type; every other credential input is hidden. */
async function assertRows(page: Page, shown: string[], hidden: string[]): Promise<void> {
  for (const id of shown) should(await visible(page, `#node-config-input-${id}`)).be.true(`${id} should be visible`);
  for (const id of hidden) should(await visible(page, `#node-config-input-${id}`)).be.false(`${id} should be hidden`);
}

function statusLabel(page: Page, id: string) {
  return canvasNode(page, id).locator(".red-ui-flow-node-status-label");
}

/** Waits until the node's status label on the canvas contains `text`. */
async function waitForStatus(page: Page, id: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([nodeId, expected]) =>
      !!document
        .querySelector(`#red-ui-workspace-chart [id="${nodeId}"] .red-ui-flow-node-status-label`)
        ?.textContent?.includes(expected),
    [id, text] as const,
  );
}

/**
 * Closes the editor's notifications as a click on them does, and waits until they are gone. Removed by hand,
 * a notification keeps its close timer, which throws on the detached element later (a page error).
 */
async function closeNotifications(page: Page): Promise<void> {
  await page.evaluate(() =>
    document.querySelectorAll<{ close(): void }>(".red-ui-notification").forEach((n) => n.close()),
  );
  await page.waitForFunction(() => !document.querySelector(".red-ui-notification"));
}

async function openHelp(page: Page, id: string, containing: string): Promise<string> {
  await canvasNode(page, id).locator(".red-ui-flow-node").click();
  await page.evaluate(() => RED.sidebar.show("help"));
  const help = page.locator("#red-ui-sidebar", { hasText: containing });
  await help.waitFor();
  return help.innerText();
}

/**
 * One editor session, in the order a user works: the tests build on each other (the node added in
 * the first is configured, deployed and inspected in the next ones).
 */
describe("editor in a real browser", function () {
  this.timeout(90_000);
  let emu: BoxEmulator;
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let eventsId: string;
  const pageErrors: string[] = [];

  before(async function () {
    if (!hasChromium()) {
      console.log(SKIP_MESSAGE);
      this.skip();
    }
    emu = await startEmulator();
    nr = await NodeRedProcess.start();
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(nr.url);
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

  it("offers both nodes in the palette", async () => {
    const paletteNode = page.locator('.red-ui-palette-node[data-palette-type="box-events-in"]');
    await paletteNode.waitFor();
    should(await paletteNode.innerText()).match(/box events/);
    should(
      await page.evaluate(() => ({
        config: RED.nodes.getType("box-config")?.category,
        events: RED.nodes.getType("box-events-in")?.category,
      })),
    ).eql({ config: "config", events: "storage" });
  });

  it("opens the events dialog with the contract's defaults and a position row only when needed", async () => {
    eventsId = await addNodeFromPalette(page, "box-events-in", { x: 220, y: 160 });
    await canvasNode(page, eventsId).locator(".red-ui-flow-node").dblclick();
    await page.locator("#node-input-streamType").waitFor();
    should(await page.locator("#node-input-streamType").inputValue()).equal("all");
    should(await page.locator("#node-input-startFrom").inputValue()).equal("now");
    should(await page.locator("#node-input-resume").isChecked()).be.true();
    should(await visible(page, "#node-input-position")).be.false();
    await page.selectOption("#node-input-startFrom", "position");
    should(await visible(page, "#node-input-position")).be.true();
    await page.selectOption("#node-input-startFrom", "now");
    // each type by a name a person reads, with Box's name (what msg.topic says) kept visible
    const upload = page.locator("#node-input-eventTypes-list label", {
      has: page.locator('input[value="ITEM_UPLOAD"]'),
    });
    should((await upload.innerText()).replace(/\s+/g, " ").trim()).equal("File uploaded ITEM_UPLOAD");
    await page.locator('#node-input-eventTypes-list input[value="ITEM_UPLOAD"]').check();
    await page.locator('#node-input-eventTypes-list input[value="COMMENT_CREATE"]').check();
    await page.fill("#node-input-eventTypes-other", "item_modify, ");
  });

  it("shows each auth type's credential fields in the config dialog, the refresh token under Advanced", async () => {
    await page.click("#node-input-btn-box-add");
    await page.locator("#node-config-input-authType").waitFor();
    should(await page.locator("#node-config-input-authType").inputValue()).equal("ccg");
    should(await page.locator("#node-config-input-apiBaseUrl").inputValue()).equal("https://api.box.com");
    for (const id of CREDENTIAL_INPUTS) should(await page.locator(`#node-config-input-${id}`).count()).equal(1, id);
    // coordination: off (no Redis URL) with the contract's defaults for prefix and lease TTL
    should(await page.locator("#node-config-input-redisUrl").inputValue()).equal("");
    should(await page.locator("#node-config-input-haPrefix").inputValue()).equal("boxstream");
    should(await page.locator("#node-config-input-haLeaseTtl").inputValue()).equal("10");
    await assertRows(
      page,
      ["name", "clientId", "clientSecret", "subjectType", "subjectId", "apiBaseUrl"],
      ["jwtConfig", "accessToken", "refreshToken", "redirectUri"],
    );
    should(await visible(page, "#box-config-test")).be.true();
    should(await visible(page, "#box-config-authorize")).be.false();
    saveScreenshot(await page.locator(".red-ui-tray").last().screenshot(), "box-config-dialog.png", README_IMAGES);

    await page.selectOption("#node-config-input-authType", "jwt");
    await assertRows(page, ["jwtConfig", "subjectType", "subjectId"], ["clientId", "clientSecret", "accessToken"]);

    await page.selectOption("#node-config-input-authType", "oauth2");
    await assertRows(page, ["clientId", "clientSecret", "redirectUri"], ["jwtConfig", "accessToken", "subjectId"]);
    should(await visible(page, "#box-config-authorize")).be.true();
    should(await visible(page, "#node-config-input-refreshToken")).be.false("folded away under Advanced");
    await page.click("#box-config-row-refreshToken > summary");
    should(await visible(page, "#node-config-input-refreshToken")).be.true();
    should(await page.locator("#node-config-input-redirectUri").inputValue()).equal(
      `${nr!.url}/box-config/oauth2/callback`,
    );

    await page.selectOption("#node-config-input-authType", "developerToken");
    await assertRows(page, ["accessToken", "apiBaseUrl"], ["clientId", "clientSecret", "jwtConfig", "refreshToken"]);
  });

  it("tests the connection and saves the config into the events node", async () => {
    await page.fill("#node-config-input-name", "Emulator");
    await page.fill("#node-config-input-accessToken", emu.issueToken());
    await page.fill("#node-config-input-apiBaseUrl", emu.apiUrl);
    await page.click("#box-config-test");
    const result = page.locator("#box-config-test-result");
    await page.locator("#box-config-test-result.box-config-ok, #box-config-test-result.box-config-error").waitFor();
    should(await result.innerText()).match(/^Connected as .+ \(.+\)$/);
    await page.click("#node-config-dialog-ok");
    await page.locator("#node-config-input-authType").waitFor({ state: "detached" });
    should(await page.locator("#node-input-box option:checked").innerText()).equal("Emulator");
    // The folder picker works before the config node is deployed, with the settings of its dialog.
    should(await page.locator("#box-events-in-folder-label").innerText()).match(/Whole account/);
    await page.click("#box-events-in-browse");
    await page.locator("#box-events-in-folder-panel .box-events-in-crumbs", { hasText: "All Files" }).waitFor();
    await page.click("#box-events-in-browse");
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-streamType").waitFor({ state: "detached" });

    const saved = await page.evaluate((id) => {
      const n = RED.nodes.node(id)!;
      return {
        eventTypes: n.eventTypes,
        streamType: n.streamType,
        resume: n.resume,
        version: n.version,
        box: RED.nodes.node(n.box as string)?.authType,
      };
    }, eventsId);
    should(saved).eql({
      eventTypes: ["ITEM_UPLOAD", "COMMENT_CREATE", "ITEM_MODIFY"],
      streamType: "all",
      resume: true,
      version: 1,
      box: "developerToken",
    });
  });

  it("deploys, shows polling, and the chosen events reach the debug sidebar", async () => {
    const debugId = await addNodeFromPalette(page, "debug", { x: 600, y: 160 });
    await wire(page, eventsId, debugId);
    await page.waitForFunction(
      ([from, to]) => RED.nodes.filterLinks({ source: { id: from } }).some((l) => l.target.id === to),
      [eventsId, debugId] as const,
    );
    await page.click("#red-ui-header-button-deploy");
    await waitForStatus(page, eventsId, "polling");
    should(await canvasNode(page, eventsId).locator(".red-ui-flow-node-status-dot-green").count()).equal(1);

    await page.evaluate(() => RED.sidebar.show("debug")); // the sidebar's markup differs between Node-RED 4 and 5
    emu.createEvent({ event_type: "ITEM_TRASH" });
    const upload = emu.createEvent({ event_type: "ITEM_UPLOAD" });
    // the sidebar shortens long strings
    const message = page.locator(".red-ui-debug-msg", { hasText: upload.event_id.slice(0, 20) });
    await message.waitFor();
    should(await message.innerText()).match(/ITEM_UPLOAD/);
    should(await page.locator(".red-ui-debug-msg", { hasText: "ITEM_TRASH" }).count()).equal(0);

    const chart = (await page.locator("#red-ui-workspace-chart").boundingBox())!;
    await page.mouse.click(chart.x + 700, chart.y + 500); // nothing selected, no tooltip: a clean canvas
    await page.locator("#red-ui-palette-search input").pressSequentially("box events");
    await page.locator('.red-ui-palette-node[data-palette-type="inject"]').waitFor({ state: "hidden" });
    await closeNotifications(page);
    saveScreenshot(await page.screenshot(), "editor-canvas.png", README_IMAGES);
  });

  it("shows the node's help", async () => {
    const help = await openHelp(page, eventsId, "streamPosition");
    for (const text of ["Outputs", "Details", "Status", "References", "payload", "polling"])
      should(help).containEql(text);
    saveScreenshot(await page.screenshot(), "help.png");
  });

  it("picks a folder by browsing or by ID, and only that folder's events reach the debug sidebar", async () => {
    const invoices = emu.items.createFolder("Invoices").folder.id as string;
    const year = emu.items.createFolder("2026", invoices).folder.id as string;
    const other = emu.items.createFolder("Other").folder.id as string;
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
        .querySelectorAll<{ scrollTop: number; scrollTo(x: number, y: number): void }>(".red-ui-tray *")
        .forEach((el) => el.scrollTop > 0 && el.scrollTo(0, 0)),
    );
    saveScreenshot(await page.locator(".red-ui-tray").last().screenshot(), "box-events-in-dialog.png", README_IMAGES);
    await page.click("#node-dialog-ok");
    await page.locator("#node-input-folderId").waitFor({ state: "detached" });
    await closeNotifications(page);
    await page.click("#red-ui-header-button-deploy");
    // the answer to the deploy comes once the old node stopped and the new one started
    await page.locator(".red-ui-notification-success").first().waitFor();
    await page.evaluate(() => RED.sidebar.show("debug"));
    const outside = emu.items.uploadFile("outside.pdf", other, "x").event;
    const inside = emu.items.uploadFile("inside.pdf", year, "y").event;
    const inDebug = (id: string) => page.locator(".red-ui-debug-msg", { hasText: id.slice(0, 20) });
    await inDebug(inside.event_id).waitFor();
    should(await inDebug(outside.event_id).count()).equal(0);

    // What the editor deployed is what the runtime runs.
    const flows = (await (await fetch(`${nr!.url}/flows`)).json()) as Array<Record<string, unknown>>;
    should(flows.find((n) => n.id === eventsId)).have.properties({
      type: "box-events-in",
      eventTypes: ["ITEM_UPLOAD", "COMMENT_CREATE", "ITEM_MODIFY"],
      folderId: invoices,
      includeSubfolders: true,
    });
    should(pageErrors).eql([]);
  });

  describe("in German", function () {
    let german: Browser | undefined;
    let deNr: NodeRedProcess | undefined;

    after(async () => {
      await german?.close();
      await deNr?.stop();
    });

    it("shows German labels, help, statuses and reasons to a German browser on an English runtime", async () => {
      // the same flow (the admin API leaves credentials out: they go in again) on a Node-RED that speaks German
      const flows = (await (await fetch(`${nr!.url}/flows`)).json()) as Array<Record<string, unknown>>;
      const token = emu.issueToken();
      const withToken = flows.map((n) => (n.type === "box-config" ? { ...n, credentials: { accessToken: token } } : n));
      [german, deNr] = await Promise.all([
        launchBrowser("de-DE"),
        NodeRedProcess.start({ settings: { lang: "en-US" } }),
      ]);
      // and a second events node whose config lacks its client secret: a red reason, in German too
      const tab = flows.find((n) => n.id === eventsId)!.z;
      const unfinished = [
        { id: "cfg-de", type: "box-config", authType: "ccg", apiBaseUrl: emu.apiUrl, subjectId: "100001" },
        { id: "in-de", type: "box-events-in", z: tab, box: "cfg-de", x: 220, y: 320, wires: [[]] },
        // and one whose API does not answer: a composite yellow status, word and reason
        {
          id: "cfg-down",
          type: "box-config",
          authType: "developerToken",
          apiBaseUrl: "http://127.0.0.1:9",
          credentials: { accessToken: token },
        },
        { id: "in-down", type: "box-events-in", z: tab, box: "cfg-down", x: 220, y: 380, wires: [[]] },
      ];
      await deNr.deploy([...withToken, ...unfinished]);
      const de = german.page;
      de.setDefaultTimeout(15_000);
      await de.goto(deNr.url);
      const paletteNode = de.locator('.red-ui-palette-node[data-palette-type="box-events-in"]');
      await paletteNode.waitFor();
      should((await paletteNode.innerText()).replace(/\s/g, "")).equal("Box-Ereignisse"); // the palette wraps at the hyphen
      await waitForStatus(de, eventsId, "wartet auf Ereignisse");

      await canvasNode(de, eventsId).locator(".red-ui-flow-node").dblclick();
      await de.locator("#node-input-streamType").waitFor();
      const upload = de.locator("#node-input-eventTypes-list label", { has: de.locator('input[value="ITEM_UPLOAD"]') });
      should((await upload.innerText()).replace(/\s+/g, " ").trim()).equal("Datei hochgeladen ITEM_UPLOAD");
      should(await de.locator('label[for="node-input-startFrom"]').innerText()).match(/Beginnen bei/);
      should(await de.locator("#node-input-startFrom option:checked").innerText()).match(/jetzt: nur neue Ereignisse/);
      await de.click("#node-dialog-cancel");
      await de.locator("#node-input-streamType").waitFor({ state: "detached" });

      const help = await openHelp(de, eventsId, "streamPosition");
      for (const text of ["Ausgänge", "Details", "Referenzen", "wartet auf Ereignisse"]) should(help).containEql(text);
      should(await statusLabel(de, eventsId).textContent()).equal("wartet auf Ereignisse");
      await waitForStatus(de, "in-de", "Zugangsdaten fehlen: Client-ID");
      await waitForStatus(de, "in-down", "verbindet neu: Netzwerkfehler");
    });
  });

  describe("in Japanese", function () {
    let japanese: Browser | undefined;
    let jaNr: NodeRedProcess | undefined;

    after(async () => {
      await japanese?.close();
      await jaNr?.stop();
    });

    it("shows Japanese labels, help, statuses and reasons (browser and Node-RED set to Japanese)", async () => {
      const flows = (await (await fetch(`${nr!.url}/flows`)).json()) as Array<Record<string, unknown>>;
      const token = emu.issueToken();
      const withToken = flows.map((n) => (n.type === "box-config" ? { ...n, credentials: { accessToken: token } } : n));
      [japanese, jaNr] = await Promise.all([
        launchBrowser("ja-JP"),
        NodeRedProcess.start({ settings: { lang: "ja" } }),
      ]);
      const tab = flows.find((n) => n.id === eventsId)!.z;
      const unfinished = [
        { id: "cfg-ja", type: "box-config", authType: "ccg", apiBaseUrl: emu.apiUrl, subjectId: "100001" },
        { id: "in-ja", type: "box-events-in", z: tab, box: "cfg-ja", x: 220, y: 320, wires: [[]] },
      ];
      await jaNr.deploy([...withToken, ...unfinished]);
      const ja = japanese.page;
      ja.setDefaultTimeout(15_000);
      await ja.goto(jaNr.url);
      // Node-RED's own editor speaks Japanese too: our labels sit among its words
      await ja.locator("#red-ui-header-button-deploy", { hasText: "デプロイ" }).waitFor();
      await ja.locator('.red-ui-palette-node[data-palette-type="box-events-in"]').waitFor();
      await waitForStatus(ja, eventsId, "イベント待機中");

      await canvasNode(ja, eventsId).locator(".red-ui-flow-node").dblclick();
      await ja.locator("#node-input-streamType").waitFor();
      const upload = ja.locator("#node-input-eventTypes-list label", { has: ja.locator('input[value="ITEM_UPLOAD"]') });
      should((await upload.innerText()).replace(/\s+/g, " ").trim()).equal("ファイルをアップロード ITEM_UPLOAD");
      should(await ja.locator('label[for="node-input-startFrom"]').innerText()).match(/開始位置/);
      should(await ja.locator("#node-input-startFrom option:checked").innerText()).match(/現在: 新しいイベントのみ/);
      await ja.click("#node-dialog-cancel");
      await ja.locator("#node-input-streamType").waitFor({ state: "detached" });

      const help = await openHelp(ja, eventsId, "streamPosition");
      for (const text of ["出力", "詳細", "参考", "イベント待機中"]) should(help).containEql(text);
      should(await statusLabel(ja, eventsId).textContent()).equal("イベント待機中");
      await waitForStatus(ja, "in-ja", "資格情報がありません: クライアントID");
    });
  });
});
