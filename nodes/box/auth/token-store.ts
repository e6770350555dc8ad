import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "crypto";
import { promises as fsp } from "fs";
import path from "path";
import { BoxError } from "../errors";
import { reason } from "../reasons";

/** What is kept for one `oauth2` config node (by node id): Box's single-use refresh token above all. */
export interface StoredTokens {
  clientId: string;
  accessToken?: string;
  /** ms since epoch */
  accessExpiresAt?: number;
  accessLifetimeSec?: number;
  refreshToken?: string;
  user?: { id?: string; name?: string; login?: string };
  /** SHA-256 of the refresh token pasted into the node's credentials when this entry was made from or next to it. */
  pastedRefreshHash?: string;
  /** Why the tokens are gone (e.g. "refresh token revoked"), for the editor's status. */
  error?: string;
  updatedAt: number;
}

/** Where the encryption key comes from, in order of preference. */
export interface KeySources {
  /** The `credentialSecret` setting: a string, or `false` when the user turned Node-RED's encryption off. */
  credentialSecret?: string | false;
  /** Node-RED's generated `_credentialSecret` (in `.config.runtime.json`), when the runtime lets us read it. */
  systemSecret?: () => string | undefined;
  log?: (message: string) => void;
}

type KeyName = "credentialSecret" | "_credentialSecret" | "keyFile";

interface Envelope {
  format: typeof FORMAT;
  version: 1;
  key: KeyName;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

const FORMAT = "node-red-box-tokens";
export const STORE_FILE = ".box-tokens.json";
export const KEY_FILE = ".box-tokens.key";
const HKDF_INFO = "node-red-box-tokens v1 aes-256-gcm";
const LOCKED_CODE = "storeLocked";
/** A failed write is tried again after 1 s, then twice as long each time, at most every 5 minutes. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 5 * 60_000;

/** No key this process knows opens the store: it is kept, and read again on the next use. */
export function isStoreLocked(err: unknown): boolean {
  return err instanceof BoxError && err.details.code === LOCKED_CODE;
}

/**
 * Box OAuth 2 tokens of every config node, in one AES-256-GCM encrypted file in Node-RED's user
 * directory. Each change is written at once, atomically (temp file, fsync, rename), because a
 * rotated refresh token that is lost makes the account unreachable until someone re-authorizes.
 * One instance per file, shared by every config node and the admin endpoints of the process.
 */
export class TokenStore {
  private static readonly open = new Map<string, TokenStore>();
  private entries?: Promise<Map<string, StoredTokens>>;
  private writing: Promise<void> = Promise.resolve();
  private readonly locks = new Map<string, Promise<unknown>>();
  private lockReported = false;
  private retryTimer?: NodeJS.Timeout;
  private lastRetryMs?: number;
  readonly file: string;

  private constructor(
    readonly dir: string,
    private readonly keys: KeySources,
  ) {
    this.file = path.join(dir, STORE_FILE);
  }

  /** The store of `dir`; later calls for the same directory get the same instance. */
  static forDirectory(dir: string, keys: KeySources): TokenStore {
    const resolved = path.resolve(dir);
    let store = TokenStore.open.get(resolved);
    if (!store) TokenStore.open.set(resolved, (store = new TokenStore(resolved, keys)));
    return store;
  }

  /** Reads the file now, so a key that Node-RED is about to retire (its `_credentialSecret`) still opens it. */
  async open(): Promise<void> {
    await this.load();
  }

  async get(id: string): Promise<StoredTokens | undefined> {
    const entry = (await this.load()).get(id);
    return entry && { ...entry };
  }

  /** Resolves once the change is on disk; memory is updated first, so a failed write still leaves the token usable. */
  async put(id: string, entry: StoredTokens): Promise<void> {
    (await this.loadForWrite()).set(id, { ...entry });
    await this.persist();
  }

  async delete(id: string): Promise<void> {
    const entries = await this.load();
    if (entries.delete(id)) await this.persist();
  }

  /** Runs `fn` alone for this id: however many token sources share an entry, one refresh at a time. */
  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }

  /** A failed read (EACCES, EMFILE, no key yet) is not kept: the next call reads again. */
  private load(): Promise<Map<string, StoredTokens>> {
    if (!this.entries) {
      const reading = this.read();
      this.entries = reading;
      reading.catch(() => {
        if (this.entries === reading) this.entries = undefined;
      });
    }
    return this.entries;
  }

  /**
   * A new authorization into a store no key opens: the locked file is kept beside it (someone may still
   * find its key) and a fresh store begins. Only a person's deliberate new authorization does this.
   */
  private async loadForWrite(): Promise<Map<string, StoredTokens>> {
    try {
      return await this.load();
    } catch (err) {
      if (!isStoreLocked(err)) throw err;
      const aside = await this.setAside("locked");
      this.keys.log?.(`Box token store ${this.file}: no key decrypts it; kept as ${aside}, a new store begins.`);
      const fresh = new Map<string, StoredTokens>();
      this.entries = Promise.resolve(fresh);
      return fresh;
    }
  }

  private async read(): Promise<Map<string, StoredTokens>> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return new Map();
      throw new BoxError("config", reason("tokenStoreUnreadable", { code: code ?? (err as Error).message }), { code });
    }
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
      if (envelope.format !== FORMAT || envelope.version !== 1) throw new Error("unknown format");
    } catch (err) {
      // not a store at all (truncated, overwritten): no key could ever open it
      const aside = await this.setAside("unreadable");
      this.keys.log?.(`Box token store ${this.file} is damaged (${(err as Error).message}); kept as ${aside}.`);
      return new Map();
    }
    const opened = await this.decrypted(envelope);
    // Written with a key that is no longer the preferred one (e.g. credentialSecret was set since): re-encrypt.
    if (opened.key !== (await this.preferredKey())) {
      this.entries = Promise.resolve(opened.entries);
      await this.persist().catch((err) =>
        this.keys.log?.(`Box token store: cannot re-encrypt ${this.file}: ${(err as Error).message}`),
      );
    }
    return opened.entries;
  }

  /** Tries every key it knows, the one named in the file first; none fits: the file stays as it is. */
  private async decrypted(envelope: Envelope): Promise<{ entries: Map<string, StoredTokens>; key: KeyName }> {
    const others = (["credentialSecret", "_credentialSecret", "keyFile"] as KeyName[]).filter(
      (k) => k !== envelope.key,
    );
    for (const name of [envelope.key, ...others]) {
      const secret = await this.secret(name, false);
      const plain = secret === undefined ? undefined : decrypt(envelope, secret);
      if (plain === undefined) continue;
      this.lockReported = false;
      return { entries: new Map(Object.entries(JSON.parse(plain) as Record<string, StoredTokens>)), key: name };
    }
    if (!this.lockReported) {
      this.lockReported = true;
      this.keys.log?.(
        `Box token store ${this.file}: no key decrypts it (was credentialSecret changed?). It is kept; the oauth2 config nodes wait until the key is back or they are authorized again.`,
      );
    }
    throw new BoxError("config", reason("tokenStoreLocked"), { code: LOCKED_CODE });
  }

  private async setAside(why: string): Promise<string> {
    const aside = `${this.file}.${why}-${Date.now()}`;
    await fsp.rename(this.file, aside).catch(() => undefined);
    return aside;
  }

  private persist(): Promise<void> {
    const write = this.writing.then(async () => {
      const entries = await this.load();
      const name = await this.preferredKey();
      const secret = (await this.secret(name, true)) as string;
      const envelope = encrypt(JSON.stringify(Object.fromEntries(entries)), secret, name);
      await writeAtomically(this.file, JSON.stringify(envelope));
    });
    this.writing = write.then(
      () => this.retried(),
      () => this.retryLater(),
    );
    return write;
  }

  /**
   * A write that failed (a full disk) is tried again until one succeeds, with or without a later change:
   * a rotated refresh token only in memory is lost on restart, and the old one on disk is already dead.
   */
  private retryLater(): void {
    if (this.retryTimer) return;
    const delayMs = Math.min(RETRY_MAX_MS, (this.lastRetryMs ?? RETRY_FIRST_MS / 2) * 2);
    this.lastRetryMs = delayMs;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.persist().catch(() => undefined);
    }, delayMs);
    this.retryTimer.unref();
  }

  private retried(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.lastRetryMs = undefined;
  }

  private async preferredKey(): Promise<KeyName> {
    if (typeof this.keys.credentialSecret === "string" && this.keys.credentialSecret) return "credentialSecret";
    if (this.keys.credentialSecret !== false && systemSecret(this.keys)) return "_credentialSecret";
    return "keyFile";
  }

  private async secret(name: KeyName, create: boolean): Promise<string | undefined> {
    if (name === "credentialSecret")
      return typeof this.keys.credentialSecret === "string" && this.keys.credentialSecret
        ? this.keys.credentialSecret
        : undefined;
    if (name === "_credentialSecret") return systemSecret(this.keys);
    const keyFile = path.join(this.dir, KEY_FILE);
    let existing: string | undefined;
    try {
      existing = (await fsp.readFile(keyFile, "utf8")).trim();
      if (existing || !create) return existing || undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || !create) return undefined;
    }
    const key = randomBytes(32).toString("hex");
    await fsp.mkdir(this.dir, { recursive: true });
    // an empty key file holds no key (a full disk, a botched copy): replace it (as 0600) rather than fail every save
    if (existing === "") await fsp.unlink(keyFile).catch(() => undefined);
    try {
      await fsp.writeFile(keyFile, key, { mode: 0o600, flag: "wx" });
      return key;
    } catch {
      const raced = (await fsp.readFile(keyFile, "utf8")).trim();
      if (!raced) throw new Error(`cannot write ${keyFile}`);
      return raced;
    }
  }
}

function systemSecret(keys: KeySources): string | undefined {
  try {
    const value = keys.systemSecret?.();
    return typeof value === "string" && value ? value : undefined;
  } catch {
    return undefined;
  }
}

function deriveKey(secret: string, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), salt, HKDF_INFO, 32));
}

function encrypt(plain: string, secret: string, key: KeyName): Envelope {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(secret, salt), iv);
  cipher.setAAD(Buffer.from(`${FORMAT}/1/${key}`));
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return {
    format: FORMAT,
    version: 1,
    key,
    salt: salt.toString("base64"),
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    data: data.toString("base64"),
  };
}

function decrypt(envelope: Envelope, secret: string): string | undefined {
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      deriveKey(secret, Buffer.from(envelope.salt, "base64")),
      Buffer.from(envelope.iv, "base64"),
    );
    decipher.setAAD(Buffer.from(`${FORMAT}/1/${envelope.key}`));
    decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(envelope.data, "base64")), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

/** Temp file in the same directory, fsync, rename: a crash leaves the old file or the new one, never half of one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await fsp.open(temp, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, file);
  } catch (err) {
    // a full disk fails the write after the temp file exists: never leave it behind
    await fsp.unlink(temp).catch(() => undefined);
    throw err;
  }
}
