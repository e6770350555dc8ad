/** The demo's Node-RED flow: a Box event stream from the local emulator, and inject buttons that make events happen. */

import { DEMO_FOLDERS } from "../emulator/demo-tree";
import { actionBranch } from "./action-branch";

const TAB = "b0c5d3e0a1f20001";
export const CONFIG_ID = "b0c5d3e0a1f20002";
const EVENTS_IN = "b0c5d3e0a1f20003";
const DEBUG_EVENTS = "b0c5d3e0a1f20004";
const HTTP = "b0c5d3e0a1f20005";
const DEBUG_HTTP = "b0c5d3e0a1f20006";

/** Buttons: a label and the partial Box event the emulator fills in (POST /_emulator/events). */
const BUTTONS: Array<[string, object]> = [
  ["rename a file", { event_type: "ITEM_RENAME" }],
  ["move a file to the trash", { event_type: "ITEM_TRASH" }],
  [
    "comment on a file",
    {
      event_type: "COMMENT_CREATE",
      source: {
        type: "comment",
        id: "191969",
        message: "Looks good to me!",
        item: { type: "file", id: "1400000000001" },
        created_by: { type: "user", id: "200002", name: "Demo User", login: "demo@example.com" },
      },
    },
  ],
  ["10 uploads at once", { count: 10, event_type: "ITEM_UPLOAD" }],
];

/** "upload a file": a real file (with bytes) into All Files/Invoices/2026, named by the time so each click is new. */
function uploadButton(apiUrl: string): object {
  return {
    id: "b0c5d3e0a1f20199",
    type: "inject",
    z: TAB,
    name: "upload a file",
    props: [{ p: "payload" }, { p: "url", v: `${apiUrl}/_emulator/items/files`, vt: "str" }],
    repeat: "",
    crontab: "",
    once: false,
    onceDelay: 0.1,
    topic: "",
    payload: `{"name": "invoice-" & $millis() & ".pdf", "parent": "${DEMO_FOLDERS.invoices2026}", "content": "%PDF-1.7 demo invoice, " & $now()}`,
    payloadType: "jsonata",
    x: 150,
    y: 300,
    wires: [[HTTP]],
  };
}

export interface DemoCredentials {
  [nodeId: string]: Record<string, string>;
}

export function demoFlow(
  apiUrl: string,
  clientId: string,
  clientSecret: string,
): { flows: object[]; credentials: DemoCredentials } {
  const injects = [
    uploadButton(apiUrl),
    ...BUTTONS.map(([name, body], i) => ({
      id: `b0c5d3e0a1f201${String(i).padStart(2, "0")}`,
      type: "inject",
      z: TAB,
      name,
      props: [{ p: "payload" }, { p: "url", v: `${apiUrl}/_emulator/events`, vt: "str" }],
      repeat: "",
      crontab: "",
      once: false,
      onceDelay: 0.1,
      topic: "",
      payload: JSON.stringify(body),
      payloadType: "json",
      x: 110 + Math.round(name.length * 3.5), // x is the centre: line the buttons up on the left
      y: 350 + i * 50,
      wires: [[HTTP]],
    })),
  ];
  const flows: object[] = [
    { id: TAB, type: "tab", label: "Box events demo", disabled: false, info: "" },
    {
      id: "b0c5d3e0a1f20007",
      type: "comment",
      z: TAB,
      name: "Box events from the local Box emulator",
      info:
        "The **box events** node listens to the Box emulator running inside `npm start` " +
        `(${apiUrl}), signed in with a Client Credentials Grant app (client id \`${clientId}\`, enterprise 100001).\n\n` +
        "Click the buttons on the left of the inject nodes below: *upload a file* puts a real file into " +
        "*All Files/Invoices/2026* (the action branch at the bottom downloads and shares it); the others ask the " +
        "emulator to record a Box event (`POST /_emulator/events`). Each event arrives in the debug sidebar (the bug icon on the right) " +
        "through the long poll, with `msg.topic` set to its `event_type`.\n\n" +
        "To use a real Box account, open the **Box (emulator)** config node, choose an auth type, enter your app's " +
        "values and set the API URL back to https://api.box.com.\n\n" +
        "The demo rewrites this flow on every start: export anything you want to keep.",
      x: 220,
      y: 60,
      wires: [],
    },
    {
      id: CONFIG_ID,
      type: "box-config",
      name: "Box (emulator)",
      authType: "ccg",
      apiBaseUrl: apiUrl,
      subjectType: "enterprise",
      subjectId: "100001",
    },
    {
      id: EVENTS_IN,
      type: "box-events-in",
      z: TAB,
      name: "",
      box: CONFIG_ID,
      streamType: "all",
      startFrom: "now",
      position: "",
      resume: true,
      eventTypes: [],
      x: 160,
      y: 160,
      wires: [[DEBUG_EVENTS]],
    },
    {
      id: DEBUG_EVENTS,
      type: "debug",
      z: TAB,
      name: "Box event",
      active: true,
      tosidebar: true,
      console: false,
      tostatus: true,
      complete: "payload",
      targetType: "msg",
      statusVal: "topic",
      statusType: "msg",
      x: 420,
      y: 160,
      wires: [],
    },
    {
      id: "b0c5d3e0a1f20008",
      type: "comment",
      z: TAB,
      name: "Make something happen in the emulated Box account",
      info: "Each inject node posts a partial Box event to the emulator's control API; the emulator fills in the rest.",
      x: 250,
      y: 250,
      wires: [],
    },
    ...injects,
    {
      id: HTTP,
      type: "http request",
      z: TAB,
      name: "POST to the emulator",
      method: "POST",
      ret: "obj",
      paytoqs: "ignore",
      url: "",
      tls: "",
      persist: false,
      proxy: "",
      insecureHTTPParser: false,
      authType: "",
      senderr: false,
      headers: [],
      x: 460,
      y: 400,
      wires: [[DEBUG_HTTP]],
    },
    ...actionBranch(CONFIG_ID, DEMO_FOLDERS.invoices),
    {
      id: DEBUG_HTTP,
      type: "debug",
      z: TAB,
      name: "emulator reply",
      active: true,
      tosidebar: false,
      console: false,
      tostatus: true,
      complete: "statusCode",
      targetType: "msg",
      statusVal: "statusCode",
      statusType: "msg",
      x: 690,
      y: 400,
      wires: [],
    },
  ];
  return { flows, credentials: { [CONFIG_ID]: { clientId, clientSecret } } };
}
