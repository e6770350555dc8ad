/**
 * The demo's action half: a box events node scoped to All Files/Invoices feeds two box api nodes, picked by
 * operation with nothing typed: a download (its file name and size reach the debug sidebar) and a shared link.
 */
const TAB = "b0c5d3e0a1f20001";
const IDS = {
  comment: "b0c5d3e0a1f20301",
  events: "b0c5d3e0a1f20302",
  download: "b0c5d3e0a1f20303",
  summary: "b0c5d3e0a1f20304",
  downloaded: "b0c5d3e0a1f20305",
  share: "b0c5d3e0a1f20306",
  shared: "b0c5d3e0a1f20307",
};

const debugNode = (id: string, name: string, complete: string, x: number, y: number) => ({
  id,
  type: "debug",
  z: TAB,
  name,
  active: true,
  tosidebar: true,
  console: false,
  tostatus: true,
  complete,
  targetType: "msg",
  statusVal: complete,
  statusType: "auto",
  x,
  y,
  wires: [],
});

const apiNode = (id: string, name: string, operation: string, x: number, y: number, to: string) => ({
  id,
  type: "box-api",
  z: TAB,
  name,
  box: "",
  version: 2,
  operation,
  fileId: "",
  fileIdType: "str",
  asUser: "",
  asUserType: "str",
  x,
  y,
  wires: [[to]],
});

export function actionBranch(configId: string, invoicesFolderId: string): object[] {
  const withBox = (node: Record<string, unknown>) => ({ ...node, box: configId });
  return [
    {
      id: IDS.comment,
      type: "comment",
      z: TAB,
      name: 'Act on Box: each new file in Invoices is downloaded and shared (click "upload a file" below)',
      info:
        "A second **box events** node listens only to *All Files/Invoices* (and its subfolders) and passes each " +
        "upload to two **box api** nodes, set up by picking an operation and nothing else: *File → Download* " +
        "(the bytes in `msg.payload`, the Box name in `msg.filename`) and *File → Create a shared link*.",
      x: 370,
      y: 600,
      wires: [],
    },
    {
      id: IDS.events,
      type: "box-events-in",
      z: TAB,
      name: "uploads to Invoices",
      box: configId,
      streamType: "all",
      folderId: invoicesFolderId,
      includeSubfolders: true,
      startFrom: "now",
      position: "",
      resume: true,
      eventTypes: ["ITEM_UPLOAD"],
      version: 1,
      x: 150,
      y: 660,
      wires: [[IDS.download, IDS.share]],
    },
    withBox(apiNode(IDS.download, "", "file.download", 380, 660, IDS.summary)),
    {
      id: IDS.summary,
      type: "function",
      z: TAB,
      name: "file name and size",
      func: "msg.payload = { file: msg.filename, bytes: msg.payload.length };\nreturn msg;",
      outputs: 1,
      x: 590,
      y: 660,
      wires: [[IDS.downloaded]],
    },
    debugNode(IDS.downloaded, "downloaded", "payload", 790, 660),
    withBox(apiNode(IDS.share, "", "file.sharedLink", 400, 720, IDS.shared)),
    debugNode(IDS.shared, "shared link", "payload.shared_link.url", 660, 720),
  ];
}
