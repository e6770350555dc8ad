import en from "../config/locales/en-US/box-config.json";

/**
 * Short reasons a person can act on. The texts live in the locale files under `box-config.reasons`
 * (add a key there, in every language, to add a reason); the en-US text is what flows see in
 * `msg.payload.reason`, whatever language the runtime speaks.
 */
const ENGLISH: Record<ReasonKey, string> = en["box-config"].reasons;

export type ReasonKey = keyof (typeof en)["box-config"]["reasons"];
export type ReasonArgs = Record<string, string | number>;

/** A reason as a locale key (under `box-config.reasons`) and the values for its `__name__` placeholders. */
export interface Reason {
  key: ReasonKey;
  args?: ReasonArgs;
}

/** Where the reasons live in the locale files, for `RED._`. */
export const REASONS_NAMESPACE = "box-config.reasons";

export function reason(key: ReasonKey, args?: ReasonArgs): Reason {
  return args ? { key, args } : { key };
}

/** The English text of a reason, with its placeholders filled in. */
export function englishReason({ key, args }: Reason): string {
  return fillIn(ENGLISH[key] ?? key, args);
}

/** Replaces `__name__` placeholders the way Node-RED's i18n does. */
export function fillIn(template: string, args: ReasonArgs = {}): string {
  return template.replace(/__(\w+)__/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}
