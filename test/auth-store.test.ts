import fs from "fs";
import path from "path";
import should from "should";
import { startEmulator, type BoxEmulator } from "../emulator";
import { OAuth2TokenSource } from "../nodes/box/auth/oauth2";
import { KEY_FILE, KeySources, isStoreLocked, STORE_FILE, TokenStore } from "../nodes/box/auth/token-store";
import { BoxError } from "../nodes/box/errors";
import { HttpClient } from "../nodes/box/http/http";
import { NO_PROXY } from "../nodes/box/http/proxy-settings";
import { filesUnder, tempDir } from "./support/auth";

/** A store instance of its own (as a new process would have), bypassing the one-per-directory cache. */
const openStore = (dir: string, keys: KeySources) =>
  new (TokenStore as unknown as new (dir: string, keys: KeySources) => TokenStore)(dir, keys);

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

    const reopened = openStore(dir, { credentialSecret: "s3cret" });
    should(await reopened.get("node-3")).containEql({ refreshToken: "refresh-CCCC" });
    await reopened.delete("node-1");
    should(await openStore(dir, { credentialSecret: "s3cret" }).get("node-1")).be.undefined();
  });

  it("falls back to Node-RED's _credentialSecret, then to its own 0600 key file; re-encrypts when credentialSecret is set later", async () => {
    const dir = tempDir();
    await openStore(dir, { systemSecret: () => "generated" }).put("n", entry("r1"));
    JSON.parse(fs.readFileSync(path.join(dir, STORE_FILE), "utf8")).key.should.equal("_credentialSecret");

    const own = tempDir();
    await openStore(own, {
      credentialSecret: false,
      systemSecret: () => {
        throw new Error("settings unavailable");
      },
    }).put("n", entry("r2"));
    JSON.parse(fs.readFileSync(path.join(own, STORE_FILE), "utf8")).key.should.equal("keyFile");
    (fs.statSync(path.join(own, KEY_FILE)).mode & 0o777).should.equal(0o600);

    const migrated = openStore(own, { credentialSecret: "now-set" });
    should(await migrated.get("n")).containEql({ refreshToken: "r2" });
    JSON.parse(fs.readFileSync(path.join(own, STORE_FILE), "utf8")).key.should.equal("credentialSecret");
  });

  it("keeps a file no key can decrypt, says so once, and opens it when the key is back", async () => {
    const dir = tempDir();
    await openStore(dir, { systemSecret: () => "generated" }).put("n", entry("r"));
    const file = path.join(dir, STORE_FILE);
    const before = fs.readFileSync(file, "utf8");
    const warnings: string[] = [];
    const oldKey: { value?: string } = {};
    const store = openStore(dir, {
      credentialSecret: "two",
      systemSecret: () => oldKey.value,
      log: (m: string) => warnings.push(m),
    });
    for (let i = 0; i < 3; i++) {
      const err = await store.get("n").then(
        () => undefined,
        (e: unknown) => e,
      );
      isStoreLocked(err).should.be.true();
      (err as BoxError).reason.should.equal("token store locked: no key decrypts it (was credentialSecret changed?)");
    }
    warnings.length.should.equal(1, "said once, not on every retry");
    warnings[0].should.match(/no key decrypts it/);
    fs.readFileSync(file, "utf8").should.equal(before, "the file is kept as it was");
    fs.readdirSync(dir).should.eql([STORE_FILE]);

    oldKey.value = "generated"; // e.g. Node-RED's old key is found again
    should(await store.get("n")).containEql({ refreshToken: "r" });
    JSON.parse(fs.readFileSync(file, "utf8")).key.should.equal("credentialSecret", "re-encrypted under the new key");
  });

  it("a new authorization into a store no key opens keeps the old file beside it", async () => {
    const dir = tempDir();
    await openStore(dir, { credentialSecret: "one" }).put("n", entry("r"));
    const store = openStore(dir, { credentialSecret: "two", log: () => undefined });
    await store.put("m", entry("fresh"));
    should(await store.get("m")).containEql({ refreshToken: "fresh" });
    fs.readdirSync(dir)
      .some((name) => name.startsWith(`${STORE_FILE}.locked-`))
      .should.be.true();
    should(await openStore(dir, { credentialSecret: "two" }).get("m")).containEql({
      refreshToken: "fresh",
    });
  });

  it("a failed first read (a directory in the file's place) is retried, not remembered", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, STORE_FILE));
    const store = openStore(dir, { credentialSecret: "k" });
    const err = await store.get("n").then(
      () => undefined,
      (e: unknown) => e,
    );
    (err as BoxError).kind.should.equal("config");
    (err as BoxError).message.should.match(/token store unreadable \(EISDIR\)/);
    fs.rmdirSync(path.join(dir, STORE_FILE));
    await store.put("n", entry("r"));
    should(await openStore(dir, { credentialSecret: "k" }).get("n")).containEql({ refreshToken: "r" });
  });

  it("an empty key file is replaced by a new 0600 key instead of failing every save", async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, KEY_FILE);
    fs.writeFileSync(keyFile, "", { mode: 0o644 });
    const store = openStore(dir, { credentialSecret: false });
    await store.put("n", entry("r"));
    fs.readFileSync(keyFile, "utf8").trim().length.should.be.above(30);
    (fs.statSync(keyFile).mode & 0o777).should.equal(0o600);
    should(await openStore(dir, { credentialSecret: false }).get("n")).containEql({ refreshToken: "r" });
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
    const onDisk = openStore(dir, { credentialSecret: "k" });
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
