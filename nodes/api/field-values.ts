import { FieldName, FieldValues, OperationSpec } from "../box/api/operations";
import { Node, NodeAPI } from "../shared/node-red-types";

/**
 * The stored TypedInput of each field: `<field>` holds the value, `<field>Type` its type. The dialog stores the
 * `name` field as `newName`: `name` is also the node's own label, which must never become a file's name. A flow
 * written to the contract's form (`name` with a `nameType`, which a label never has, or no `newName` at all, which
 * the dialog always stores) is read as the field too.
 */
type StoredKey = Exclude<FieldName, "name"> | "newName";
export type StoredFields = Partial<Record<StoredKey | `${StoredKey}Type` | "name" | "nameType", string>>;

export function storedKey(field: FieldName): StoredKey {
  return field === "name" ? "newName" : field;
}

const TYPES = ["msg", "flow", "global", "env", "str", "num", "json"];

/**
 * The operation's field values for one message: each TypedInput evaluated as Node-RED does (msg, flow,
 * global, env, string, number, JSON), as text. A field left empty, or whose property is unset, is absent.
 */
export async function fieldValues(
  RED: NodeAPI,
  node: Node,
  spec: OperationSpec,
  stored: StoredFields,
  msg: Record<string, unknown>,
): Promise<FieldValues> {
  const values: FieldValues = {};
  const fields = spec.fields.includes("asUser") ? spec.fields : [...spec.fields, "asUser" as const];
  for (const field of fields) {
    const value = await fieldValue(RED, node, stored, field, msg);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

/** One field's value for a message, as text; undefined when empty or unset. */
export function fieldValue(
  RED: NodeAPI,
  node: Node,
  stored: StoredFields,
  field: FieldName,
  msg: Record<string, unknown>,
): Promise<string | undefined> {
  const key = storedKey(field);
  const contractForm = stored.nameType !== undefined || stored.newName === undefined;
  if (field === "name" && !stored.newName && contractForm)
    return evaluate(RED, node, stored.name, stored.nameType, msg);
  return evaluate(RED, node, stored[key], stored[`${key}Type`], msg);
}

function evaluate(
  RED: NodeAPI,
  node: Node,
  value: string | undefined,
  type: string | undefined,
  msg: Record<string, unknown>,
): Promise<string | undefined> {
  const kind = TYPES.includes(type ?? "") ? (type as string) : "str";
  if (value === undefined || value === "") return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, kind, node as never, msg as never, (err: Error | null, result: unknown) => {
      if (err) return reject(err);
      resolve(asText(result));
    });
  });
}

function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return String(value);
  return undefined;
}
