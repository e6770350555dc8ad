import fs from "fs";
import path from "path";
import type { BoxEmulator } from "../../emulator";
import { fileNode } from "./file-flow";
import type { FlowNode } from "./node-helper";
import { delay as sleep } from "./wait";

export { collect, helper, NODES as nodeFiles } from "./node-helper";
export { tempDir } from "./temp-dir";
export { delay as sleep, waitFor } from "./wait";

export const TAB: FlowNode = { id: "tab", type: "tab", label: "auth" };

/** The auth tests' box-config node `cfg`, against the emulator at `apiUrl`. */
export function configNode(apiUrl: string, properties: Record<string, unknown>): FlowNode {
  return { id: "cfg", z: "tab", type: "box-config", apiBaseUrl: apiUrl, ...properties };
}

/**
 * A real-process OAuth 2 flow: box-config `cfg` (client ID and secret; the tokens come from the store),
 * box-events-in `in` from the beginning with resume, and a file node `writer` appending to `outFile`.
 */
export function oauth2FileFlow(emu: BoxEmulator, outFile: string, tab: FlowNode = TAB): FlowNode[] {
  return [
    tab,
    {
      id: "cfg",
      type: "box-config",
      authType: "oauth2",
      apiBaseUrl: emu.apiUrl,
      credentials: { clientId: emu.clientId, clientSecret: emu.clientSecret },
    },
    { ...eventsNode("in", ["writer"]), resume: true },
    { ...fileNode(outFile), id: "writer", z: tab.id },
  ];
}

export function eventsNode(id: string, wires: string[] = ["out"]): FlowNode {
  return {
    id,
    z: "tab",
    type: "box-events-in",
    x: 100,
    y: 100,
    box: "cfg",
    streamType: "all",
    startFrom: "beginning",
    resume: false,
    wires: [wires],
  };
}

/** Creates `batches` batches of `size` events, `gapMs` apart: a stream that runs across several token lifetimes. */
export async function trickle(emu: BoxEmulator, batches: number, size: number, gapMs: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < batches; i++) {
    ids.push(...emu.createEvents(size).map((event) => event.event_id));
    await sleep(gapMs);
  }
  return ids;
}

/** Token requests the emulator has seen so far. */
export function tokenRequests(emu: BoxEmulator): number {
  return emu.requests.filter((r) => r.path.startsWith("/oauth2/token")).length;
}

/** Follows the emulator's consent page as a browser would: load it, press "Grant access", return the redirect. */
export async function approveInBrowser(authorizeUrl: string): Promise<URL> {
  const page = await (await fetch(authorizeUrl)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(page);
  if (!action) throw new Error(`no consent form in:\n${page}`);
  const form = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(m[1], decodeHtml(m[2]));
  form.set("consent", "accept");
  const res = await fetch(new URL(action[1], authorizeUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    redirect: "manual",
  });
  if (res.status !== 302) throw new Error(`consent answered ${res.status}`);
  return new URL(res.headers.get("location") as string);
}

function decodeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, "&");
}

/** Every regular file under `dir` (symlinks, e.g. the linked package, are not followed). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
