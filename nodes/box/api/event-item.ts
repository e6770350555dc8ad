/** The file or folder a message is about, with its parent folder when the message names it. */
export interface MessageItem {
  type: "file" | "folder";
  id: string;
  parentId?: string;
}

const ID = /^\d{1,20}$/;

/**
 * The item of the incoming Box event: `msg.payload.source` as a file or folder, as Box's `EventSource`
 * (`item_type`, `item_id`), or the item a comment, task or collaboration names in `source.item`. A message
 * whose payload is itself a file or folder (the answer of an earlier box api node) is about that item.
 */
export function messageItem(msg: Record<string, unknown>): MessageItem | undefined {
  const payload = asObject(msg.payload);
  const source = asObject(payload?.source);
  return (
    itemOf(source) ??
    eventSourceItem(source) ??
    itemOf(asObject(source?.item)) ??
    (source ? undefined : itemOf(payload))
  );
}

function itemOf(value: Record<string, unknown> | undefined): MessageItem | undefined {
  if (!value || (value.type !== "file" && value.type !== "folder")) return undefined;
  const id = idOf(value.id);
  return id ? withParent({ type: value.type, id }, value) : undefined;
}

function eventSourceItem(value: Record<string, unknown> | undefined): MessageItem | undefined {
  if (!value || (value.item_type !== "file" && value.item_type !== "folder")) return undefined;
  const id = idOf(value.item_id);
  return id ? withParent({ type: value.item_type, id }, value) : undefined;
}

function withParent(item: MessageItem, value: Record<string, unknown>): MessageItem {
  const parentId = idOf(asObject(value.parent)?.id);
  return parentId ? { ...item, parentId } : item;
}

function idOf(value: unknown): string | undefined {
  const id = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  return typeof id === "string" && ID.test(id) ? id : undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
