import type { ApiMethod } from "./api-call";

/** The fields an operation may take; each is stored on the node as `<field>` and `<field>Type` (a TypedInput). */
export type FieldName =
  "fileId" | "folderId" | "parentId" | "name" | "access" | "message" | "query" | "scope" | "templateKey" | "asUser";

export const FIELD_NAMES: readonly FieldName[] = [
  "fileId",
  "folderId",
  "parentId",
  "name",
  "access",
  "message",
  "query",
  "scope",
  "templateKey",
  "asUser",
];

/** Fields that hold a Box id: digits only, and left empty they take the item of the incoming event. */
export const ID_FIELDS: readonly FieldName[] = ["fileId", "folderId", "parentId", "asUser"];

/** The field values of one message, evaluated by the node (a field left empty is absent). */
export type FieldValues = Partial<Record<FieldName, string>>;

/**
 * How Box's answer becomes the message: parsed JSON, the file's bytes, the first entry of an upload's list,
 * or every entry of a marker-paged list (`{total_count, entries}` over all pages).
 */
export type AnswerShape = "json" | "download" | "uploaded" | "allPages";

/**
 * One operation of the box-api node, as data: the request it makes and the fields it shows. Paths name
 * fields in `{braces}`; each becomes one URL-encoded segment. `body` builds the JSON body from the fields.
 */
export interface OperationSpec {
  id: string;
  group: "file" | "folder" | "search" | "user" | "custom";
  method: ApiMethod;
  path: string;
  /** Shown in the dialog, in this order (`asUser` is shown for every operation). */
  fields: readonly FieldName[];
  /** Fields a message must end up with (after the event's item filled in what was left empty). */
  required: readonly FieldName[];
  query?: (v: FieldValues) => Record<string, string>;
  body?: (v: FieldValues, payload: unknown) => unknown;
  /** `file`: a multipart upload of `msg.payload`; `version`: a new version of `fileId`. */
  upload?: "file" | "version";
  answer: AnswerShape;
}

const parentBody = (v: FieldValues) => ({ parent: { id: v.parentId }, ...(v.name ? { name: v.name } : {}) });
const sharedLinkBody = (v: FieldValues) => ({ shared_link: v.access ? { access: v.access } : {} });
/** Box answers a shared-link change with only the fields asked for: enough for the next node to say what was shared. */
const SHARED_LINK_FIELDS = (): Record<string, string> => ({ fields: "name,size,parent,path_collection,shared_link" });

function op(spec: Omit<OperationSpec, "answer" | "required"> & Partial<OperationSpec>): OperationSpec {
  return { answer: "json", required: spec.fields.filter((f) => f !== "name" && f !== "access"), ...spec };
}

export const OPERATIONS: readonly OperationSpec[] = [
  op({ id: "file.get", group: "file", method: "GET", path: "/2.0/files/{fileId}", fields: ["fileId"] }),
  op({
    id: "file.download",
    group: "file",
    method: "GET",
    path: "/2.0/files/{fileId}/content",
    fields: ["fileId"],
    answer: "download",
  }),
  op({
    id: "file.upload",
    group: "file",
    method: "POST",
    path: "/2.0/files/content",
    fields: ["parentId", "name"],
    upload: "file",
    answer: "uploaded",
  }),
  op({
    id: "file.uploadVersion",
    group: "file",
    method: "POST",
    path: "/2.0/files/{fileId}/content",
    fields: ["fileId", "name"],
    upload: "version",
    answer: "uploaded",
  }),
  op({
    id: "file.copy",
    group: "file",
    method: "POST",
    path: "/2.0/files/{fileId}/copy",
    fields: ["fileId", "parentId", "name"],
    body: parentBody,
  }),
  op({
    id: "file.move",
    group: "file",
    method: "PUT",
    path: "/2.0/files/{fileId}",
    fields: ["fileId", "parentId"],
    body: (v) => ({ parent: { id: v.parentId } }),
  }),
  op({
    id: "file.rename",
    group: "file",
    method: "PUT",
    path: "/2.0/files/{fileId}",
    fields: ["fileId", "name"],
    required: ["fileId", "name"],
    body: (v) => ({ name: v.name }),
  }),
  op({ id: "file.delete", group: "file", method: "DELETE", path: "/2.0/files/{fileId}", fields: ["fileId"] }),
  op({
    id: "file.sharedLink",
    group: "file",
    method: "PUT",
    path: "/2.0/files/{fileId}",
    fields: ["fileId", "access"],
    query: SHARED_LINK_FIELDS,
    body: sharedLinkBody,
  }),
  op({
    id: "file.removeSharedLink",
    group: "file",
    method: "PUT",
    path: "/2.0/files/{fileId}",
    fields: ["fileId"],
    query: SHARED_LINK_FIELDS,
    body: () => ({ shared_link: null }),
  }),
  op({
    id: "file.comment",
    group: "file",
    method: "POST",
    path: "/2.0/comments",
    fields: ["fileId", "message"],
    body: (v) => ({ item: { type: "file", id: v.fileId }, message: v.message }),
  }),
  op({
    id: "file.getMetadata",
    group: "file",
    method: "GET",
    path: "/2.0/files/{fileId}/metadata/{scope}/{templateKey}",
    fields: ["fileId", "scope", "templateKey"],
  }),
  op({
    id: "file.setMetadata",
    group: "file",
    method: "POST",
    path: "/2.0/files/{fileId}/metadata/{scope}/{templateKey}",
    fields: ["fileId", "scope", "templateKey"],
    body: (_v, payload) => payload,
  }),
  op({ id: "folder.get", group: "folder", method: "GET", path: "/2.0/folders/{folderId}", fields: ["folderId"] }),
  op({
    id: "folder.items",
    group: "folder",
    method: "GET",
    path: "/2.0/folders/{folderId}/items",
    fields: ["folderId"],
    query: () => ({ limit: "1000", usemarker: "true" }),
    answer: "allPages",
  }),
  op({
    id: "folder.create",
    group: "folder",
    method: "POST",
    path: "/2.0/folders",
    fields: ["parentId", "name"],
    required: ["parentId", "name"],
    body: (v) => ({ name: v.name, parent: { id: v.parentId } }),
  }),
  op({
    id: "folder.copy",
    group: "folder",
    method: "POST",
    path: "/2.0/folders/{folderId}/copy",
    fields: ["folderId", "parentId", "name"],
    body: parentBody,
  }),
  op({
    id: "folder.move",
    group: "folder",
    method: "PUT",
    path: "/2.0/folders/{folderId}",
    fields: ["folderId", "parentId"],
    body: (v) => ({ parent: { id: v.parentId } }),
  }),
  op({
    id: "folder.rename",
    group: "folder",
    method: "PUT",
    path: "/2.0/folders/{folderId}",
    fields: ["folderId", "name"],
    required: ["folderId", "name"],
    body: (v) => ({ name: v.name }),
  }),
  op({
    id: "folder.delete",
    group: "folder",
    method: "DELETE",
    path: "/2.0/folders/{folderId}",
    fields: ["folderId"],
    query: () => ({ recursive: "true" }),
  }),
  op({
    id: "folder.sharedLink",
    group: "folder",
    method: "PUT",
    path: "/2.0/folders/{folderId}",
    fields: ["folderId", "access"],
    query: SHARED_LINK_FIELDS,
    body: sharedLinkBody,
  }),
  op({
    id: "search",
    group: "search",
    method: "GET",
    path: "/2.0/search",
    fields: ["query"],
    query: (v) => ({ query: v.query ?? "", limit: "100" }),
  }),
  op({ id: "user.me", group: "user", method: "GET", path: "/2.0/users/me", fields: [] }),
];

export const CUSTOM_OPERATION = "custom";
export const DEFAULT_OPERATION = "file.get";

export function operationById(id: string): OperationSpec | undefined {
  return OPERATIONS.find((o) => o.id === id);
}

/** The fields the dialog must not leave empty: those that no incoming event can fill in. */
const EVENT_FIELDS: readonly FieldName[] = ["fileId", "folderId", "parentId"];

/** What the dialog needs of the list: each operation's id, group, fields and the ones it must not leave empty. */
export function operationsForEditor(): {
  id: string;
  group: string;
  fields: readonly FieldName[];
  required: FieldName[];
}[] {
  return [
    ...OPERATIONS.map(({ id, group, fields, required }) => ({
      id,
      group,
      fields,
      required: required.filter((f) => !EVENT_FIELDS.includes(f)),
    })),
    { id: CUSTOM_OPERATION, group: "custom", fields: [], required: [] },
  ];
}
