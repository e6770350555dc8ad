import type { ServerResponse } from "http";
import type { ActionParts } from "./action-parts";
import { sendBoxError, sendJson } from "./http-util";
import type { ItemTree, TreeItem } from "./item-tree";

const MAX_LIMIT = 200;
const MAX_VISITED = 100_000;

/** `GET /2.0/search?query=...`: live files and folders whose name contains the query, Box's answer shape. */
export function handleSearchApi(ctx: ActionParts, res: ServerResponse, url: URL): void {
  const query = url.searchParams.get("query")?.trim().toLowerCase();
  if (!query) return sendBoxError(res, 400, "query is required", undefined, "bad_request");
  const type = url.searchParams.get("type");
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(url.searchParams.get("limit") ?? 30) || 30));
  const offset = Math.max(0, Number(url.searchParams.get("offset") ?? 0) || 0);
  const ancestors = url.searchParams.get("ancestor_folder_ids")?.split(",").filter(Boolean) ?? ["0"];
  const tree = ctx.items.tree;
  const found = ancestors
    .flatMap((id) => below(tree, id))
    .filter((item) => item.name.toLowerCase().includes(query) && (!type || item.type === type));
  sendJson(res, 200, {
    type: "search_results_items",
    total_count: found.length,
    limit,
    offset,
    entries: found.slice(offset, offset + limit).map((item) => tree.toJson(item)),
  });
}

/** Every live item below a folder, breadth first. */
function below(tree: ItemTree, folderId: string): TreeItem[] {
  const out: TreeItem[] = [];
  const queue = [folderId];
  while (queue.length > 0 && out.length < MAX_VISITED) {
    for (const child of tree.childrenOf(queue.shift() as string)) {
      if (child.access !== "ok") continue;
      out.push(child);
      if (child.type === "folder") queue.push(child.id);
    }
  }
  return out;
}
