import { BoxError } from "./errors";
import { reason } from "./reasons";

const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The name in a `${NAME}` reference, or undefined for any other value. */
export function referencedName(value: string | undefined): string | undefined {
  return REFERENCE.exec(value?.trim() ?? "")?.[1];
}

/**
 * A value written as `${NAME}` becomes the environment variable NAME (Node-RED 4.1 already substitutes
 * defined variables in credentials, other versions may not; either way the result is the same). A missing
 * or empty variable is a config error that names the variable, never a value.
 */
export function fromEnvironment(value: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = referencedName(value);
  if (!name) return value;
  const resolved = env[name];
  if (resolved === undefined || resolved === "")
    throw new BoxError("config", reason("missingEnvironmentVariable", { name }));
  return resolved;
}

/** Every `${NAME}` in a set of credentials, resolved. */
export function credentialsFromEnvironment<T extends Record<string, string | undefined>>(
  credentials: T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const resolved: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(credentials)) resolved[key] = fromEnvironment(value, env);
  return resolved as T;
}
