import type { IncomingMessage, ServerResponse } from "http";
import type { ActionParts } from "./action-parts";
import { handleActionsApi } from "./actions-api";
import { handleMetadataApi } from "./metadata-api";
import { handleSearchApi } from "./search-api";
import { handleUploadSessions } from "./upload-sessions";

/** The routes the box api node's operations use beyond reading items; false when none of them matches. */
export async function handleActionRoutes(
  ctx: ActionParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  authorized: () => boolean,
): Promise<boolean> {
  if (url.pathname === "/2.0/search" && req.method === "GET") {
    if (authorized()) handleSearchApi(ctx, res, url);
    return true;
  }
  return (
    (await handleUploadSessions(ctx, req, res, url, authorized)) ||
    (await handleMetadataApi(ctx, req, res, url, authorized)) ||
    (await handleActionsApi(ctx, req, res, url, authorized))
  );
}
