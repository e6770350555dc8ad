import fs from "fs";
import path from "path";
import "should";

const NODES = path.resolve(__dirname, "../../nodes");
const FOLDERS = ["config", "events-in", "api", "ack"];
/** The markup the dialogs' hints may carry; anything else in angle brackets is a placeholder the editor would eat. */
const TAG = /<\/?(a|i|b|em|strong|code|br)(\s[^>]*)?>/g;

interface CatalogText {
  file: string;
  key: string;
  text: string;
}

function texts(): CatalogText[] {
  const out: CatalogText[] = [];
  for (const folder of FOLDERS) {
    const locales = path.join(NODES, folder, "locales");
    for (const lang of fs.readdirSync(locales)) {
      for (const name of fs.readdirSync(path.join(locales, lang)).filter((n) => n.endsWith(".json"))) {
        const file = `${folder}/locales/${lang}/${name}`;
        collect(JSON.parse(fs.readFileSync(path.join(locales, lang, name), "utf8")), "", file, out);
      }
    }
  }
  return out;
}

function collect(value: unknown, prefix: string, file: string, out: CatalogText[]): void {
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof child === "string") out.push({ file, key: name, text: child });
    else collect(child, name, file, out);
  }
}

/** The dialogs' templates and scripts, and the runtime's sources: every place a catalog key is used. */
function sources(): string {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "locales") walk(full);
      else if (/\.(html|ts)$/.test(entry.name)) all.push(fs.readFileSync(full, "utf8"));
    }
  };
  walk(NODES);
  return all.join("\n");
}

describe("catalog markup (unit)", function () {
  it("has no angle-bracket placeholder the editor would render as markup and swallow", function () {
    // Node-RED shows validator messages and the node's error list as HTML: `enterprise_<id>` reads `enterprise_`
    const eaten = texts().filter((t) => /</.test(t.text.replace(TAG, "")));
    eaten.map((t) => `${t.file}: ${t.key}`).should.be.empty();
  });

  it("puts a text with markup only where the dialog renders it as HTML, never as raw tags", function () {
    const code = sources();
    const raw: string[] = [];
    for (const t of texts().filter((x) => new RegExp(TAG.source).test(x.text))) {
      const relative = t.key.slice(t.key.indexOf(".") + 1);
      const uses = [
        ...code.matchAll(new RegExp(`(\\[html\\])?(?:[\\w-]+\\.)?${relative.replace(/\./g, "\\.")}\\b`, "g")),
      ];
      uses.length.should.be.above(0, `${t.key} is not used anywhere`);
      if (uses.some((u) => !u[1])) raw.push(`${t.file}: ${t.key}`);
    }
    raw.should.be.empty();
  });
});
