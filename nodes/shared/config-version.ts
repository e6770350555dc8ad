/** A stored node definition that says which shape of properties it was saved with. */
export interface Versioned {
  version?: number;
}

/** One upgrade step: turns a definition of version `i` into one of version `i + 1`. */
export type Migration<T> = (def: T) => T;

/**
 * Brings a node definition from an older release up to date before the node reads it. `steps[i]`
 * upgrades version `i` to `i + 1`, so the current version is `steps.length`. A definition without
 * `version` predates versioning (version 0); one from a newer release is left as it is.
 */
export function migrate<T extends Versioned>(def: T, steps: readonly Migration<T>[]): T {
  const from = Number.isInteger(def.version) && (def.version as number) >= 0 ? (def.version as number) : 0;
  let current = def;
  for (let version = from; version < steps.length; version++)
    current = { ...steps[version](current), version: version + 1 };
  return current;
}
