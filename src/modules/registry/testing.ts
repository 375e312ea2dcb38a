// Test support for the registry: a valid identity profile and a small PDF for the business
// registration document, and a throwaway CA and one leaf certificate for the given DNS names, made
// with `openssl` at test time (nothing with a private key is committed). The shared platform PKI
// only names shop.test and localhost; proofs need several distinct hosts.
// Not imported by production code.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A valid identity profile (every field the profile schema asks for); `o` replaces any of them. */
export function shopProfile(o: Readonly<Record<string, string>> = {}) {
  return {
    legalNameZh: "好物網路商店股份有限公司",
    legalNameEn: "Good Things Online Ltd.",
    ubn: "04595252",
    representative: "王小明",
    address: "臺北市中正區重慶南路一段 122 號",
    contactEmail: "owner@shop.test",
    contactPhone: "+886 2 2311 1234",
    serviceChannel: "LINE @goodthings",
    salesModel: "both" as const,
    sector: "online_shop" as const,
    ...o,
  };
}

/** The smallest PDF the evidence type check accepts, as an upload stream. */
export async function* pdf(): AsyncGenerator<Uint8Array> {
  yield Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
}

export interface HostPki {
  caCert: string;
  key: string;
  cert: string;
}

export function makeHostPki(names: readonly string[], days = 90): HostPki {
  const dir = mkdtempSync(join(tmpdir(), "ectrust-registry-pki-"));
  const ossl = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    ossl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "120", "-subj", "/CN=ectrust registry test CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    ossl("req", "-new", ...ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", `/CN=${names[0] ?? "shop.test"}`);
    writeFileSync(join(dir, "leaf.ext"), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    ossl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", String(days), "-out", "leaf.crt", "-extfile", "leaf.ext");
    const read = (f: string): string => readFileSync(join(dir, f), "utf8");
    return { caCert: read("ca.crt"), key: read("leaf.key"), cert: read("leaf.crt") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
