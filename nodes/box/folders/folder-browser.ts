import type { ItemsApi } from "./items-api";
import { isId, placeOf } from "./item-lookup";

export interface FolderSummary {
  id: string;
  name: string;
}

/** One folder as the editor's picker shows it: where it is, and a page of the folders in it. */
export interface FolderView {
  folder: FolderSummary & { path: FolderSummary[] };
  folders: FolderSummary[];
  /** Where the next page starts, when the folder holds more than this page. */
  nextOffset?: number;
}

const PAGE = 1000;
const MAX_NAME_LENGTH = 255;

/**
 * A folder and the folders in it. Box lists folders before files, so a page that ends with a file
 * holds the last of the folders.
 */
export async function browseFolder(
  api: Pick<ItemsApi, "getItem" | "getFolderItems">,
  folderId: string,
  offset: number,
  signal?: AbortSignal,
): Promise<FolderView> {
  const info = await api.getItem({ type: "folder", id: folderId }, ["name", "path_collection"], signal);
  const page = await api.getFolderItems(folderId, { offset, limit: PAGE, fields: ["name"] }, signal);
  const place = placeOf(info);
  const path =
    place.kind === "path" ? place.ids.map((id, i) => ({ id, name: clip(place.names[i]) })) : ([] as FolderSummary[]);
  const folders = page.entries
    .filter((e) => e.type === "folder" && isId(e.id))
    .map((e) => ({ id: e.id as string, name: clip(e.name) }));
  const last = page.entries[page.entries.length - 1];
  const end = offset + page.entries.length;
  const view: FolderView = { folder: { id: folderId, name: clip(info.name), path }, folders };
  if (end < page.totalCount && last?.type === "folder" && page.entries.length > 0) view.nextOffset = end;
  return view;
}

function clip(name: unknown): string {
  return typeof name === "string" ? name.slice(0, MAX_NAME_LENGTH) : "";
}
