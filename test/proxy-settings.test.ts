import fs from "fs";
import path from "path";
import should from "should";
import { readJwtConfigFile } from "../nodes/box/auth/jwt-config-file";
import { credentialsFromEnvironment } from "../nodes/box/env-references";
import { BoxError } from "../nodes/box/errors";
import { proxyFor, proxyFromConfigNode, proxyFromEnvironment, ProxySettings } from "../nodes/box/http/proxy-settings";
import { transportError } from "../nodes/box/http/transport-errors";
import { tempDir } from "./support/temp-dir";

const PROXY = "http://proxy.corp:3128/";
const NOT_A_CONFIG_FILE = "the JWT Config file is not a regular file of at most 256 KB";

function configError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    should(err).be.instanceOf(BoxError);
    should((err as BoxError).kind).equal("config");
    return (err as BoxError).reason;
  }
  throw new Error("no config error");
}

describe("which proxy a request takes", () => {
  const via = (settings: ProxySettings, url: string) => proxyFor(settings, new URL(url));

  it("reads the environment as Node-RED's core nodes do: lower case first, https falling back to http_proxy", () => {
    should(proxyFromEnvironment({ http_proxy: PROXY, HTTP_PROXY: "http://other:1" }).httpProxy).equal(PROXY);
    should(proxyFromEnvironment({ HTTP_PROXY: PROXY }).httpsProxy).equal(PROXY);
    const both = proxyFromEnvironment({ HTTPS_PROXY: "http://tls-proxy:8443", http_proxy: PROXY });
    should([both.httpProxy, both.httpsProxy]).eql([PROXY, "http://tls-proxy:8443/"]);
    should(proxyFromEnvironment({ https_proxy: "proxy.corp:3128" }).httpsProxy).equal(PROXY);
    should(proxyFromEnvironment({})).eql({ httpProxy: undefined, httpsProxy: undefined, noProxy: [] });
  });

  it("no_proxy: exact hosts, domain suffixes, ports and *", () => {
    const settings = proxyFromEnvironment({
      http_proxy: PROXY,
      no_proxy: "localhost, .internal.corp,*.lab.corp box.example:8443 [::1]:8080 10.0.0.7",
    });
    const table: [string, string | undefined][] = [
      ["https://api.box.com/2.0/events", PROXY],
      ["http://localhost:8080/", undefined],
      ["http://LOCALHOST/", undefined],
      ["https://git.internal.corp/", undefined],
      ["https://internal.corp/", undefined],
      ["https://notinternal.corp/", PROXY],
      ["https://a.b.lab.corp/", undefined],
      ["https://box.example:8443/", undefined],
      ["https://box.example/", PROXY],
      ["http://[::1]:8080/", undefined],
      ["http://[::1]:8081/", PROXY],
      ["http://10.0.0.7:80/", undefined],
    ];
    for (const [url, expected] of table) should([url, via(settings, url)]).eql([url, expected]);
    should(via(proxyFromEnvironment({ HTTPS_PROXY: PROXY, NO_PROXY: "*" }), "https://api.box.com/")).be.undefined();
  });

  it("an http proxy node: one proxy for both schemes, its own noproxy list, its credentials as Basic", () => {
    const settings = proxyFromConfigNode({
      url: "proxy.corp:3128",
      noproxy: ["realtime.example"],
      credentials: { username: "factory-7", password: "s3cret:!" },
    });
    should(via(settings, "http://2.realtime.services.box.net/subscribe")).equal(PROXY);
    should(via(settings, "https://api.box.com/")).equal(PROXY);
    should(via(settings, "http://realtime.example/")).be.undefined();
    should(settings.proxyAuthorization).equal(`Basic ${Buffer.from("factory-7:s3cret:!").toString("base64")}`);
    should(proxyFromConfigNode({ url: PROXY }).proxyAuthorization).be.undefined();
  });

  it("a bad proxy URL is a config error naming where it came from, never the URL (it may hold a password)", () => {
    const reason = configError(() => proxyFromEnvironment({ HTTPS_PROXY: "ftp://user:hunter2@proxy" }));
    should(reason).equal("invalid proxy URL in HTTPS_PROXY");
    should(configError(() => proxyFromConfigNode({ url: "" }))).equal("invalid proxy URL in http proxy");
    should(configError(() => proxyFromConfigNode({ url: "http://" }))).equal("invalid proxy URL in http proxy");
  });
});

describe("configuring from the environment", () => {
  it("a credential written ${NAME} is the variable's value; anything else stays as it is", () => {
    const env = { BOX_SECRET: "from-env", EMPTY: "" };
    should(
      credentialsFromEnvironment({ clientSecret: "${BOX_SECRET}", clientId: "plain", other: "a${BOX_SECRET}" }, env),
    ).eql({ clientSecret: "from-env", clientId: "plain", other: "a${BOX_SECRET}" });
    should(credentialsFromEnvironment({ clientSecret: " ${BOX_SECRET} " }, env).clientSecret).equal("from-env");
  });

  it("a missing or empty variable is a config error naming the variable", () => {
    should(configError(() => credentialsFromEnvironment({ clientSecret: "${BOX_NOPE}" }, {}))).equal(
      "missing environment variable BOX_NOPE",
    );
    should(configError(() => credentialsFromEnvironment({ clientSecret: "${EMPTY}" }, { EMPTY: "" }))).equal(
      "missing environment variable EMPTY",
    );
  });

  it("jwtConfigPath: the file's content, or a config error naming the property, never the path", () => {
    const dir = tempDir("box-jwt-file-");
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, '{"boxAppSettings":{}}');
    should(readJwtConfigFile(file)).equal('{"boxAppSettings":{}}');
    const missing = path.join(dir, "missing.json");
    should(configError(() => readJwtConfigFile(missing))).equal("cannot read the JWT Config file (ENOENT)");
    should(configError(() => readJwtConfigFile(dir))).equal(NOT_A_CONFIG_FILE);
    const huge = path.join(dir, "huge.json");
    fs.writeFileSync(huge, Buffer.alloc(300 * 1024, 32));
    should(configError(() => readJwtConfigFile(huge))).equal(NOT_A_CONFIG_FILE);
  });
});

describe("transport failures as reasons", () => {
  const failure = (code: string, cause?: unknown) => Object.assign(new Error(code), { code, cause });
  const table: [Error, boolean, string, string, boolean][] = [
    [failure("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), false, "certificate", "certificate not trusted", true],
    [failure("SELF_SIGNED_CERT_IN_CHAIN"), true, "certificate", "certificate not trusted", true],
    // undici's error for a proxy whose own certificate fails
    [failure("UND_ERR_PRX_TLS", failure("CERT_HAS_EXPIRED")), true, "certificate", "certificate expired", true],
    [failure("ERR_TLS_CERT_ALTNAME_INVALID"), false, "certificate", "certificate name mismatch", true],
    [failure("ECONNRESET"), true, "proxy", "proxy refused: connection reset", false],
    [failure("ECONNREFUSED"), true, "proxy", "proxy unreachable", false],
    [failure("ECONNRESET"), false, "network", "network error", false],
    [failure("UND_ERR_HEADERS_TIMEOUT"), true, "network", "network error", false],
  ];
  it("names certificate problems (a person must act) and proxy refusals (retried)", () => {
    for (const [err, proxied, kind, reason, needsHelp] of table) {
      const mapped = transportError(err, proxied);
      should([err.message, mapped.kind, mapped.reason, mapped.needsHelp]).eql([err.message, kind, reason, needsHelp]);
    }
    should(transportError(failure("UND_ERR_HEADERS_TIMEOUT"), false).details.code).equal("timeout");
  });
});
