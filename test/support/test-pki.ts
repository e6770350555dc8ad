import { execFileSync } from "child_process";
import fs from "fs";
import path from "path";
import { tempDir } from "./temp-dir";

export interface ServerCertificate {
  key: string;
  cert: string;
}

export interface TestPki {
  /** The company CA's certificate file, as NODE_EXTRA_CA_CERTS takes it. */
  caFile: string;
  /** For 127.0.0.1 and localhost, signed by the CA. */
  server: ServerCertificate;
  /** The same names and CA, but its validity ended yesterday. */
  expired: ServerCertificate;
  /** Signed by a second CA that nobody trusts. */
  unknownCa: ServerCertificate;
}

const NAMES = "subjectAltName=IP:127.0.0.1,DNS:localhost\n";

/** A throwaway CA and server certificates, made with openssl at test time (nothing secret is checked in). */
export function makeTestPki(): TestPki {
  const dir = tempDir("box-pki-");
  const file = (name: string) => path.join(dir, name);
  fs.writeFileSync(file("names.cnf"), NAMES);
  makeCa(file("ca"), "Box test company CA");
  makeCa(file("other-ca"), "Unknown CA");
  const server = makeServer(file, "server", "ca", 2);
  // -days -1 puts notAfter a day before notBefore (now): a certificate that has just expired
  const expired = makeServer(file, "expired", "ca", -1);
  const unknownCa = makeServer(file, "unknown", "other-ca", 2);
  return { caFile: file("ca.crt"), server, expired, unknownCa };
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(base: string, name: string): void {
  openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`].concat([
      "-keyout",
      `${base}.key`,
      "-out",
      `${base}.crt`,
    ]),
  );
}

function makeServer(file: (name: string) => string, name: string, ca: string, days: number): ServerCertificate {
  const base = file(name);
  openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${base}.key`,
    "-out",
    `${base}.csr`,
    "-subj",
    "/CN=127.0.0.1",
  ]);
  openssl([
    "x509",
    "-req",
    "-in",
    `${base}.csr`,
    "-CA",
    file(`${ca}.crt`),
    "-CAkey",
    file(`${ca}.key`),
    "-set_serial",
    String(Date.now()),
    "-days",
    String(days),
    "-extfile",
    file("names.cnf"),
    "-out",
    `${base}.crt`,
  ]);
  return { key: fs.readFileSync(`${base}.key`, "utf8"), cert: fs.readFileSync(`${base}.crt`, "utf8") };
}
