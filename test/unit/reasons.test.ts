import fs from "fs";
import path from "path";
import "should";
import { BoxError } from "../../nodes/box/errors";
import { reason } from "../../nodes/box/reasons";
import { reasonText } from "../../nodes/shared/reason-text";

const NODES = path.resolve(__dirname, "../../nodes");

/** Each node's message catalogs live beside its entry file, as Node-RED looks them up. */
const NODE_FOLDERS: Record<string, string> = {
  "box-config.json": "config",
  "box-events-in.json": "events-in",
  "box-api.json": "api",
  "box-events-ack.json": "ack",
};

function catalog(lang: string, file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(NODES, NODE_FOLDERS[file], "locales", lang, file), "utf8"));
}

/** Every key path of a catalog with its text, e.g. `box-config.reasons.unauthorized`. */
function flatten(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof child === "string") out.set(name, child);
    else for (const [k, v] of flatten(child, name)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => (text.match(/__\w+__/g) ?? []).sort();

describe("reasons and locales (unit)", function () {
  it("keeps the English reasons flows match", function () {
    new BoxError("config", reason("missingClientSecret")).reason.should.equal("missing credentials: client secret");
    new BoxError("unauthorized", reason("developerTokenRefused")).reason.should.equal(
      "unauthorized: Box refused the developer token (invalid or no longer valid): generate a new one in the Developer Console",
    );
    new BoxError("unauthorized", reason("accessTokenRefused")).reason.should.equal(
      "unauthorized: Box refused the access token (invalid or revoked)",
    );
    new BoxError("config", reason("jwtConfigLacks", { field: "clientID" })).message.should.equal(
      "JWT config lacks clientID",
    );
    new BoxError("server", "events: HTTP 503", { status: 503 }).reason.should.equal("HTTP 503");
    new BoxError("rateLimited", "events: rate limited").reason.should.equal("rate limited");
    new BoxError("config", "something unforeseen").reason.should.equal("something unforeseen");
  });

  it("gives each reason a key the nodes translate, and falls back to English when a language lacks it", function () {
    const german: Record<string, string> = { "box-config.reasons.httpStatus": "HTTP-Status __status__" };
    const translate = (key: string, args?: Record<string, unknown>) =>
      german[key] ? german[key].replace("__status__", String(args?.status)) : key;
    reasonText(translate, new BoxError("server", "x", { status: 502 })).should.equal("HTTP-Status 502");
    reasonText(translate, new BoxError("config", reason("invalidApiUrl"))).should.equal("invalid API URL");
    reasonText(translate, new BoxError("config", "no key")).should.equal("no key");
  });

  const LANGUAGES: Record<string, string> = { de: "German", ja: "Japanese" };
  for (const [lang, language] of Object.entries(LANGUAGES)) {
    for (const file of Object.keys(NODE_FOLDERS)) {
      it(`has every ${file} key in ${language}, with the same placeholders`, function () {
        const en = flatten(catalog("en-US", file));
        const translated = flatten(catalog(lang, file));
        [...translated.keys()].sort().should.eql([...en.keys()].sort());
        for (const [key, text] of en) {
          placeholders(translated.get(key) as string).should.eql(placeholders(text), key);
          if (!/placeholder|httpStatus|paletteLabel|\.name$|\.box$/.test(key) && text.length > 12)
            (translated.get(key) as string).should.not.equal(text, `${key} is not translated`);
        }
      });
    }
    it(`has the help of every node in ${language}, beside its catalog`, function () {
      for (const [file, folder] of Object.entries(NODE_FOLDERS)) {
        const name = file.replace(/\.json$/, "");
        const help = (l: string) => fs.readFileSync(path.join(NODES, folder, "locales", l, `${name}.html`), "utf8");
        help(lang).should.containEql(`data-help-name="${name}"`);
        help(lang).should.not.equal(help("en-US"));
      }
    });
  }
});
