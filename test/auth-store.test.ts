import fs from "fs";
import path from "path";
import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator/index";
import { OAuth2TokenSource } from "../nodes/box/auth/oauth2";
import { KEY_FILE, STORE_FILE, TokenStore } from "../nodes/box/auth/token-store";
import { HttpClient } from "../nodes/box/http";
import { NO_PROXY } from "../nodes/box/proxy-settings";
import { filesUnder, tempDir } from "./support/auth";

const entry = (refreshToken: string) => ({
  clientId: "c",
  accessToken: `access-${refreshToken}`,
  refreshToken,
  updatedAt: Date.now(),
});

describe("auth: the encrypted token store", function () {
  this.timeout(30_000);

  it("encrypts with credentialSecret, writes atomically with mode 0600, and reads back in a new process", async () => {
    const dir = tempDir();
    const store = TokenStore.forDirectory(dir, { credentialSecret: "s3cret" });
    await store.put("node-1", entry("refresh-AAAA"));
    await Promise.all([store.put("node-2", entry("refresh-BBBB")), store.put("node-3", entry("refresh-CCCC"))]);
    const file = path.join(dir, STORE_FILE);
    const text = fs.readFileSync(file, "utf8");
    text.should.not.match(/refresh-|access-|node-1/);
    JSON.parse(text).should.containEql({ format: "node-red-box-tokens", version: 1, key: "credentialSecret" });
    (fs.statSync(file).mode & 0o777).should.equal(0o600);
    filesUnder(dir).should.eql([file], "no temp file or key file left behind");

    const reopened = new (TokenStore as any)(dir, { credentialSecret: "s3cret" }) as TokenStore;
    should(await reopened.get("node-3")).containEql({ refreshToken: "refresh-CCCC" });
    await reopened.delete("node-1");
    should(await new (TokenStore as any)(dir, { credentialSecret: "s3cret" }).get("node-1")).be.undefined();
  });

  it("falls back to Node-RED's _credentialSecret, then to its own 0600 key file; re-encrypts when credentialSecret is set later", async () => {
    const dir = tempDir();
    await new (TokenStore as any)(dir, { systemSecret: () => "generated" }).put("n", entry("r1"));
    JSON.parse(fs.readFileSync(path.join(dir, STORE_FILE), "utf8")).key.should.equal("_credentialSecret");

    const own = tempDir();
    await new (TokenStore as any)(own, {
      credentialSecret: false,
      systemSecret: () => {
        throw new Error("settings unavailable");
      },
    }).put("n", entry("r2"));
    JSON.parse(fs.readFileSync(path.join(own, STORE_FILE), "utf8")).key.should.equal("keyFile");
    (fs.statSync(path.join(own, KEY_FILE)).mode & 0o777).should.equal(0o600);

    const migrated = new (TokenStore as any)(own, { credentialSecret: "now-set" }) as TokenStore;
    should(await migrated.get("n")).containEql({ refreshToken: "r2" });
    JSON.parse(fs.readFileSync(path.join(own, STORE_FILE), "utf8")).key.should.equal("credentialSecret");
  });

  it("moves a file no key can decrypt aside and starts empty, with a warning", async () => {
    const dir = tempDir();
    await new (TokenStore as any)(dir, { credentialSecret: "one" }).put("n", entry("r"));
    const warnings: string[] = [];
    const other = new (TokenStore as any)(dir, {
      credentialSecret: "two",
      log: (m: string) => warnings.push(m),
    }) as TokenStore;
    should(await other.get("n")).be.undefined();
    warnings.join().should.match(/cannot be read/);
    fs.readdirSync(dir)
      .some((name) => name.startsWith(`${STORE_FILE}.unreadable-`))
      .should.be.true();
  });
});

describe("auth: OAuth 2 token source", function () {
  this.timeout(30_000);
  let emu: BoxEmulator;
  const http = new HttpClient(NO_PROXY);

  beforeEach(async () => {
    emu = await startEmulator({ tokenLifetimeSec: 60 });
  });
  afterEach(async () => {
    await emu.close();
  });
  after(() => http.close());

  const source = (store: TokenStore, pasted?: { refreshToken?: string }) =>
    new OAuth2TokenSource({
      http,
      origin: emu.apiUrl,
      client: { clientId: emu.clientId, clientSecret: emu.clientSecret },
      store,
      nodeId: "cfg",
      pasted,
    });

  it("refreshes once however many sources and callers share a node's entry, and persists before use", async () => {
    const dir = tempDir();
    const store = TokenStore.forDirectory(dir, { credentialSecret: "k" });
    const pair = emu.issueTokenPair();
    emu.setTokenDelay(300);
    const a = source(store, { refreshToken: pair.refreshToken });
    const b = source(store, { refreshToken: pair.refreshToken });
    const tokens = await Promise.all([...Array(10)].flatMap(() => [a.token(), b.token()]));
    new Set(tokens).size.should.equal(1);
    emu.tokenRequestStats().should.containEql({ total: 1, maxConcurrent: 1 });
    const onDisk = new (TokenStore as any)(dir, { credentialSecret: "k" }) as TokenStore;
    const stored = (await onDisk.get("cfg"))!;
    stored.accessToken!.should.equal(tokens[0]);
    stored.refreshToken!.should.not.equal(pair.refreshToken, "the rotated refresh token is on disk");
  });

  it("the store wins over the pasted refresh token, until a different one is pasted", async () => {
    const store = TokenStore.forDirectory(tempDir(), { credentialSecret: "k" });
    const first = emu.issueTokenPair();
    const t1 = await source(store, { refreshToken: first.refreshToken }).token();
    emu.expireAllTokens();
    // A restart: the credentials still hold the first (now dead) refresh token; the store's rotated one is used.
    const restarted = source(store, { refreshToken: first.refreshToken });
    (await restarted.token()).should.equal(t1, "a stored access token that has not expired is used as it is");
    restarted.invalidate(t1); // Box answered 401
    (await restarted.token()).should.not.equal(t1);
    const second = emu.issueTokenPair();
    emu.expireAllTokens();
    await source(store, { refreshToken: second.refreshToken }).token();
    (await store.get("cfg"))!.refreshToken!.should.not.equal(
      second.refreshToken,
      "the newly pasted token was used (and rotated)",
    );
    emu.tokenRequestStats().total.should.equal(3);
  });

  it("an expired access token is refused once, then refreshed", async () => {
    const store = TokenStore.forDirectory(tempDir(), { credentialSecret: "k" });
    const src = source(store, { refreshToken: emu.issueTokenPair().refreshToken });
    const t1 = await src.token();
    src.invalidate(t1);
    (await src.token()).should.not.equal(t1);
  });
});
