import fs from "fs";
import path from "path";
import { tempDir } from "./temp-dir";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`); the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const SKIP_MESSAGE =
  "browser test skipped: chromium not found; install it with `apt-get install chromium` and run `npm test`";

export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** The part of the editor's global `RED` the tests read (inside page.evaluate). */
export interface EditorNode {
  id: string;
  type: string;
  [property: string]: unknown;
}
export interface EditorRED {
  nodes: {
    filterNodes(filter: { type: string }): EditorNode[];
    node(id: string): EditorNode | undefined;
    getType(type: string): { category?: string } | undefined;
    filterLinks(filter: { source: { id: string } }): { target: { id: string } }[];
  };
  sidebar: { show(name: string): void };
  editor: { editConfig(name: string, type: string, id: string): void };
}
declare const RED: EditorRED;

/**
 * Headless chromium with a fresh profile and no background traffic (the machine may have no internet).
 * `locale` is the browser's language, which the Node-RED editor follows.
 */
export async function launchBrowser(locale = "en-US"): Promise<Browser> {
  const userDataDir = tempDir("box-chromium-");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    locale,
    viewport: { width: 1440, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function center(locator: Locator): Promise<{ x: number; y: number }> {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  if (!box) throw new Error(`not visible: ${locator}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A real mouse drag (jQuery UI and the Node-RED canvas listen to mousemove, so move in steps). */
export async function drag(page: Page, from: Locator, to: Locator | { x: number; y: number }): Promise<void> {
  const start = await center(from);
  const end = "boundingBox" in to ? await center(to) : to;
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 10, start.y + 10, { steps: 5 });
  await page.mouse.move(end.x, end.y, { steps: 20 });
  await page.mouse.up();
}

/** Drops a node type from the palette onto the workspace at (x, y) relative to the visible chart; returns its id. */
export async function addNodeFromPalette(page: Page, type: string, at: { x: number; y: number }): Promise<string> {
  const before: string[] = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const chart = await page.locator("#red-ui-workspace-chart").boundingBox();
  if (!chart) throw new Error("no workspace");
  await drag(page, page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`), {
    x: chart.x + at.x,
    y: chart.y + at.y,
  });
  const handle = await page.waitForFunction(
    ([t, known]) => {
      const added = RED.nodes.filterNodes({ type: t }).filter((n) => !(known as string[]).includes(n.id));
      return added.length > 0 ? added[0].id : null;
    },
    [type, before] as const,
  );
  return (await handle.jsonValue()) as string;
}

/** The SVG group of a node on the canvas. */
export function canvasNode(page: Page, id: string): Locator {
  return page.locator(`#red-ui-workspace-chart [id="${id}"]`);
}

export async function wire(page: Page, fromId: string, toId: string): Promise<void> {
  await drag(
    page,
    canvasNode(page, fromId).locator(".red-ui-flow-port-output .red-ui-flow-port"),
    canvasNode(page, toId).locator(".red-ui-flow-port-input .red-ui-flow-port"),
  );
}

/** Writes a screenshot to test-artifacts/; with UPDATE_SCREENSHOTS=1 also to `copyTo` (the README's images). */
export function saveScreenshot(buffer: Buffer, name: string, copyTo?: string): void {
  const root = path.resolve(__dirname, "../../..");
  const artifacts = path.join(root, "test-artifacts");
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, name), buffer);
  if (copyTo && process.env.UPDATE_SCREENSHOTS === "1") {
    const dir = path.join(root, copyTo);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), buffer);
  }
}
