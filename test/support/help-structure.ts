/**
 * The structure of a node's help (`locales/<lang>/<node>.html`), independent of its language: the sections
 * (`<h3>`), and in each the terms (`<dt>`), sub-headings (`<h4>`) and list items (`<li>`). Property names and
 * types in the message property lists are code and stay untranslated, so they are compared as text.
 */

/** A `<dt>`: a message property (`payload <span class="property-type">object</span>`) or a translated term. */
export interface HelpTerm {
  property?: string;
  type?: string;
  text: string;
}

export interface HelpSection {
  /** The `<h3>` text, or "(before the first heading)". */
  heading: string;
  terms: HelpTerm[];
  subheadings: number;
  items: number;
}

const VOID_ELEMENTS = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "wbr",
]);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g;

const plainText = (html: string) =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/\s+/g, " ")
    .trim();

/** What makes a help file not well-formed HTML: unclosed, stray or crossed tags, or a wrong wrapper. */
export function markupProblems(html: string, helpName: string): string[] {
  const problems: string[] = [];
  const opening = `<script type="text/html" data-help-name="${helpName}">`;
  if (!html.trimStart().startsWith(opening)) problems.push(`does not start with ${opening}`);
  if (!html.trimEnd().endsWith("</script>")) problems.push("does not end with </script>");
  const inner = html.slice(html.indexOf(">") + 1, html.lastIndexOf("</script>"));
  const open: { name: string; line: number }[] = [];
  const lineOf = (index: number) => inner.slice(0, index).split("\n").length;
  for (const match of inner.matchAll(TAG)) {
    const [, closing, rawName, selfClosing] = match;
    const name = rawName.toLowerCase();
    if (VOID_ELEMENTS.has(name) || selfClosing) continue;
    if (!closing) {
      open.push({ name, line: lineOf(match.index ?? 0) });
      continue;
    }
    const top = open.pop();
    if (!top) problems.push(`</${name}> on line ${lineOf(match.index ?? 0)} closes nothing`);
    else if (top.name !== name)
      problems.push(`<${top.name}> of line ${top.line} closed by </${name}> on line ${lineOf(match.index ?? 0)}`);
  }
  for (const left of open) problems.push(`<${left.name}> of line ${left.line} is never closed`);
  return problems;
}

/** The help's sections in order, each with its terms, sub-headings and list items. */
export function helpStructure(html: string): HelpSection[] {
  const sections: HelpSection[] = [{ heading: "(before the first heading)", terms: [], subheadings: 0, items: 0 }];
  const current = () => sections[sections.length - 1];
  for (const match of html.matchAll(/<(h3|h4|dt|li)\b[^>]*>/g)) {
    const tag = match[1];
    const start = (match.index ?? 0) + match[0].length;
    const content = tag === "h3" || tag === "dt" ? html.slice(start, html.indexOf(`</${tag}>`, start)) : "";
    if (tag === "h3") sections.push({ heading: plainText(content), terms: [], subheadings: 0, items: 0 });
    else if (tag === "h4") current().subheadings++;
    else if (tag === "li") current().items++;
    else current().terms.push(termOf(content));
  }
  return sections;
}

function termOf(content: string): HelpTerm {
  const property = /^\s*([^<]*?)\s*<span class="property-type">([^<]*)<\/span>/.exec(content);
  if (!property) return { text: plainText(content) };
  return { property: property[1], type: property[2].trim(), text: plainText(content) };
}

const termList = (terms: HelpTerm[]) => terms.map((t) => t.text).join("; ") || "none";

/** Where `translated` lacks (or adds) a section, term, sub-heading or list item that `english` has. */
export function structureProblems(english: HelpSection[], translated: HelpSection[], lang: string): string[] {
  const problems: string[] = [];
  if (translated.length !== english.length) {
    problems.push(
      `en-US has ${english.length - 1} <h3> (${english
        .slice(1)
        .map((s) => s.heading)
        .join(", ")}), ${lang} has ${translated.length - 1} (${translated
        .slice(1)
        .map((s) => s.heading)
        .join(", ")})`,
    );
  }
  english.forEach((en, i) => {
    const other = translated[i];
    if (other) problems.push(...sectionProblems(en, other, lang));
  });
  return problems;
}

function sectionProblems(en: HelpSection, other: HelpSection, lang: string): string[] {
  const where = `section "${en.heading}" (${lang}: "${other.heading}")`;
  const problems: string[] = [];
  const properties = (s: HelpSection) => s.terms.filter((t) => t.property !== undefined);
  const enProps = properties(en).map((t) => `${t.property} <${t.type}>`);
  const otherProps = properties(other).map((t) => `${t.property} <${t.type}>`);
  for (const p of enProps.filter((p) => !otherProps.includes(p))) problems.push(`${where}: lacks <dt> ${p}`);
  for (const p of otherProps.filter((p) => !enProps.includes(p))) problems.push(`${where}: has <dt> ${p} en-US lacks`);
  if (problems.length === 0 && enProps.join() !== otherProps.join())
    problems.push(`${where}: <dt> properties in another order: ${otherProps.join(", ")}`);
  const enTerms = en.terms.filter((t) => t.property === undefined);
  const otherTerms = other.terms.filter((t) => t.property === undefined);
  if (enTerms.length !== otherTerms.length) {
    problems.push(
      `${where}: en-US has ${enTerms.length} <dt> (${termList(enTerms)}), ${lang} has ${otherTerms.length} (${termList(otherTerms)})`,
    );
  }
  if (en.subheadings !== other.subheadings)
    problems.push(`${where}: en-US has ${en.subheadings} <h4>, ${lang} has ${other.subheadings}`);
  if (en.items !== other.items) problems.push(`${where}: en-US has ${en.items} <li>, ${lang} has ${other.items}`);
  return problems;
}
