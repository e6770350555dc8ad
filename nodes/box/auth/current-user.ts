import { BoxClient } from "../http/box-client";

const MAX_USER_BYTES = 256 * 1024;

/** `GET /2.0/users/me`: who the credentials act for. */
export async function getCurrentUser(client: BoxClient, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const req = { method: "GET", path: "/2.0/users/me", what: "users/me", maxBytes: MAX_USER_BYTES, signal } as const;
  return (await client.requestJson(req)).body;
}
