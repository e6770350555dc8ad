import fs from "fs";
import path from "path";
import "should";
import { helpStructure, markupProblems, structureProblems } from "../support/help-structure";

const NODES = path.resolve(__dirname, "../../nodes");

/** Every node folder with an English help, and the help's name (`box-api` for `api/locales/en-US/box-api.html`). */
function helps(): { folder: string; name: string; languages: string[] }[] {
  return fs
    .readdirSync(NODES)
    .filter((folder) => fs.existsSync(path.join(NODES, folder, "locales", "en-US")))
    .flatMap((folder) => {
      const locales = path.join(NODES, folder, "locales");
      return fs
        .readdirSync(path.join(locales, "en-US"))
        .filter((file) => file.endsWith(".html"))
        .map((file) => ({
          folder,
          name: file.replace(/\.html$/, ""),
          languages: fs.readdirSync(locales).filter((lang) => lang !== "en-US"),
        }));
    });
}

const help = (folder: string, lang: string, name: string) =>
  fs.readFileSync(path.join(NODES, folder, "locales", lang, `${name}.html`), "utf8");

const report = (problems: string[]) => `\n    ${problems.join("\n    ")}\n`;

describe("help parity across languages (unit)", function () {
  const all = helps();

  it("finds the help of every node in every language", function () {
    all.map((h) => h.name).should.containDeep(["box-api", "box-config", "box-events-in", "box-events-ack"]);
    for (const h of all) h.languages.should.containDeep(["de", "ja"]);
  });

  for (const { folder, name, languages } of all) {
    for (const lang of ["en-US", ...languages]) {
      it(`${name} (${lang}): well-formed HTML in its help script`, function () {
        const problems = markupProblems(help(folder, lang, name), name);
        problems.should.eql([], report(problems));
      });
    }
    for (const lang of languages) {
      it(`${name} (${lang}): every <h3>, <dt>, <h4> and <li> the English help has`, function () {
        const english = helpStructure(help(folder, "en-US", name));
        const problems = structureProblems(english, helpStructure(help(folder, lang, name)), lang);
        problems.should.eql([], report(problems));
      });
    }
  }

  it("names what a translation lacks: a section, a property, a term, a list item", function () {
    const english = [
      '<script type="text/html" data-help-name="x">',
      "<h3>Inputs</h3>",
      '<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd>a</dd>',
      '<dt class="optional">topic <span class="property-type">string</span></dt><dd>b</dd></dl>',
      "<h3>Details</h3>",
      "<dl><dt>File</dt><dd>c</dd><dt>Size cap</dt><dd>d</dd></dl>",
      "<h4>Rules</h4><ul><li>e</li><li>f</li></ul>",
      "<h3>Status</h3><ul><li>g</li></ul>",
      "</script>",
    ].join("\n");
    const structure = helpStructure(english);
    const check = (translated: string) => structureProblems(structure, helpStructure(translated), "xx");
    check(english.replace("File", "Datei")).should.eql([]);
    check(english.replace(/<dt class="optional">topic[^\n]*/, "</dl>")).should.eql([
      'section "Inputs" (xx: "Inputs"): lacks <dt> topic <string>',
    ]);
    check(english.replace("<dt>Size cap</dt><dd>d</dd>", "")).should.eql([
      'section "Details" (xx: "Details"): en-US has 2 <dt> (File; Size cap), xx has 1 (File)',
    ]);
    check(english.replace("<li>f</li>", "")).should.eql([
      'section "Details" (xx: "Details"): en-US has 2 <li>, xx has 1',
    ]);
    check(english.replace("<h4>Rules</h4>", "")).should.eql([
      'section "Details" (xx: "Details"): en-US has 1 <h4>, xx has 0',
    ]);
    check(english.replace("<h3>Status</h3><ul><li>g</li></ul>", ""))[0].should.equal(
      "en-US has 3 <h3> (Inputs, Details, Status), xx has 2 (Inputs, Details)",
    );
    markupProblems(english, "x").should.eql([]);
    markupProblems(english.replace("<dd>c</dd>", "<dd>c"), "x").should.eql([
      "<dd> of line 6 closed by </dl> on line 6",
      "<dl> of line 6 is never closed",
    ]);
    markupProblems(english, "y")[0].should.startWith("does not start with");
  });

  it("box api: each language's help names every operation as its dialog does", function () {
    const { languages } = all.find((h) => h.name === "box-api") ?? { languages: [] };
    for (const lang of ["en-US", ...languages]) {
      const catalog = JSON.parse(fs.readFileSync(path.join(NODES, "api", "locales", lang, "box-api.json"), "utf8")) as {
        "box-api": { operation: Record<string, string> };
      };
      const named = new Set([...help("api", lang, "box-api").matchAll(/<i>([^<]*)<\/i>/g)].map((m) => m[1]));
      // the help may leave out the label's parenthesis: "Delete (to the trash)" is "Delete" there
      const missing = Object.entries(catalog["box-api"].operation)
        .map(([id, label]) => ({ id, label: label.replace(/\s*\([^)]*\)$/, "") }))
        .filter(({ label }) => !named.has(label))
        .map(({ id, label }) => `${id}: <i>${label}</i>`);
      missing.should.eql([], `${lang}:${report(missing)}`);
    }
  });
});
