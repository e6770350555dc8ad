import { BoxError } from "../errors";
import { BoxClient } from "../http/box-client";
import { isId, ItemRef, ItemType } from "./item-lookup";

export const MAX_FOLDER_PAGE = 1000;
const ITEM_COLLECTIONS: Record<ItemType, string> = { file: "files", folder: "folders", web_link: "web_links" };

/** The most an answer may weigh: an item with a few fields, or a page of up to 1000 folder entries. */
export const MAX_ITEMS_BYTES = {
  item: 256 * 1024,
  folderPage: 16 * 1024 * 1024,
} as const;

/** Box's item and folder-listing endpoints, as the folder filter and the folder picker use them. */
export class ItemsApi {
  constructor(readonly client: BoxClient) {}

  /** `GET /2.0/files/{id}`, `/2.0/folders/{id}` or `/2.0/web_links/{id}` with only `fields`. */
  async getItem(ref: ItemRef, fields: readonly string[], signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (!isId(ref.id) || !ITEM_COLLECTIONS[ref.type]) throw new BoxError("request", "item: not a Box item id");
    const query = new URLSearchParams({ fields: fields.join(",") });
    const path = `/2.0/${ITEM_COLLECTIONS[ref.type]}/${ref.id}?${query}`;
    const { body } = await this.client.requestJson({
      method: "GET",
      path,
      what: "item",
      maxBytes: MAX_ITEMS_BYTES.item,
      signal,
    });
    return body;
  }

  /** One page of `GET /2.0/folders/{id}/items` (Box: at most 1000 entries, offset paging). */
  async getFolderItems(
    folderId: string,
    page: { offset: number; limit: number; fields: readonly string[] },
    signal?: AbortSignal,
  ): Promise<{ entries: Record<string, unknown>[]; totalCount: number }> {
    if (!isId(folderId)) throw new BoxError("request", "folder: not a Box folder id");
    const query = new URLSearchParams({
      fields: page.fields.join(","),
      offset: String(page.offset),
      limit: String(Math.min(MAX_FOLDER_PAGE, page.limit)),
    });
    const { body } = await this.client.requestJson({
      method: "GET",
      path: `/2.0/folders/${folderId}/items?${query}`,
      what: "folder",
      maxBytes: MAX_ITEMS_BYTES.folderPage,
      signal,
    });
    if (!Array.isArray(body.entries)) throw new BoxError("protocol", "folder: answer without entries");
    const entries = body.entries.filter((e): e is Record<string, unknown> => e !== null && typeof e === "object");
    const totalCount = typeof body.total_count === "number" ? body.total_count : entries.length;
    return { entries, totalCount };
  }
}
