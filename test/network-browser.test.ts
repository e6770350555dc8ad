import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
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
import { ForwardProxy } from "./support/forward-proxy";
import { NodeRedProcess } from "./support/node-red-process";

/** In page.evaluate callbacks: the editor's globals. */
declare const RED: EditorRED;
declare const document: { getElementById(id: string): { className: string } };

const PROXY_USER = { username: "ui", password: "ui-pass" };

/** The box-config dialog's proxy selector, as a user meets it in a real browser. */
describe("box-config dialog: proxy and environment (real browser)", function () {
  this.timeout(120_000);
  let emu: BoxEmulator | undefined;
  let proxy: ForwardProxy | undefined;
  let nr: NodeRedProcess | undefined;
  let browser: Browser | undefined;

  before(async function () {
    if (!hasChromium()) {
      console.log(SKIP_MESSAGE);
      this.skip();
    }
    emu = await startEmulator();
    proxy = await ForwardProxy.start({ auth: PROXY_USER });
    nr = await NodeRedProcess.start();
    browser = await launchBrowser();
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && browser) {
      saveScreenshot(await browser.page.screenshot().catch(() => Buffer.alloc(0)), "network-browser-failure.png");
      console.log(`      Node-RED output:\n${nr?.output.slice(-3000)}`);
    }
  });
  after(async () => {
    await browser?.close();
    await nr?.stop();
    await Promise.all([emu?.close(), proxy?.close()]);
  });

  it("a proxy selector like the core http request node's; Test connection goes through the chosen proxy", async () => {
    const page = browser!.page;
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    // An http proxy node, deployed: Test connection uses deployed proxy nodes (their password stays in the runtime).
    const proxyId = "proxy1";
    await nr!.deploy([
      { id: "tab1", type: "tab", label: "Flow 1" },
      { id: proxyId, type: "http proxy", name: "company proxy", url: proxy!.url, noproxy: [], credentials: PROXY_USER },
    ]);
    await page.goto(nr!.url);
    await page.locator('.red-ui-palette-node[data-palette-type="box-events-in"]').waitFor();
    await page.waitForFunction((id) => !!RED.nodes.node(id), proxyId);

    const eventsId = await addNodeFromPalette(page, "box-events-in", { x: 220, y: 160 });
    await canvasNode(page, eventsId).locator(".red-ui-flow-node").dblclick();
    await page.click("#node-input-btn-box-add");
    await page.locator("#node-config-input-authType").waitFor();
    should(await page.locator("#node-config-input-useProxy").isChecked()).be.false();
    should(await page.locator("#box-config-row-proxy").isVisible()).be.false();
    should(await page.locator("#box-config-hint-env").innerText()).match(/\$\{NAME\}/);

    await page.selectOption("#node-config-input-authType", "jwt");
    should(await page.locator("#node-config-input-jwtConfigPath").isVisible()).be.true();
    await page.selectOption("#node-config-input-authType", "developerToken");
    should(await page.locator("#node-config-input-jwtConfigPath").isVisible()).be.false();
    await page.fill("#node-config-input-accessToken", emu!.issueToken());
    await page.fill("#node-config-input-apiBaseUrl", emu!.apiUrl);

    await page.locator("#node-config-input-useProxy").check();
    should(await page.locator("#box-config-row-proxy").isVisible()).be.true();
    await page.selectOption("#node-config-input-proxy", proxyId);
    await page.click("#box-config-test");
    await page.waitForFunction(() =>
      /box-config-(ok|error)/.test(document.getElementById("box-config-test-result").className),
    );
    should(await page.locator("#box-config-test-result").innerText()).match(/^Connected as .+ \(.+\)$/);
    should(proxy!.forwarded.map((r) => r.target)).containEql(`${emu!.apiUrl}/2.0/users/me`);
    for (const request of emu!.requests) should(proxy!.upstreamPorts.has(request.remotePort ?? -1)).be.true();

    await page.click("#node-config-dialog-ok");
    await page.locator("#node-config-input-authType").waitFor({ state: "detached" });
    await page.click("#node-dialog-ok");
    const configId = await page.evaluate((id) => RED.nodes.node(id)!.box as string, eventsId);
    should(await page.evaluate((id) => RED.nodes.node(id)!.proxy, configId)).equal(proxyId);

    // Unticked, the choice is dropped: the environment's proxy applies again.
    await page.evaluate((id) => RED.editor.editConfig("", "box-config", id), configId);
    await page.locator("#node-config-input-useProxy").waitFor();
    should(await page.locator("#node-config-input-useProxy").isChecked()).be.true();
    await page.locator("#node-config-input-useProxy").uncheck();
    await page.click("#node-config-dialog-ok");
    await page.locator("#node-config-input-authType").waitFor({ state: "detached" });
    should(await page.evaluate((id) => RED.nodes.node(id)!.proxy, configId)).equal("");
    should(pageErrors).eql([]);
  });
});
