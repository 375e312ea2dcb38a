// Test support for the fetcher and its users: throwaway certificates made with `openssl` at test
// time (nothing with a private key is committed), and a real DNS server on loopback (dns2).
// Not imported by production code.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, Packet } from "dns2";

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestPki {
  caCert: string;
  /** Signed by the test CA for localhost, 127.0.0.1, ::1 and *.test names; valid 90 days. */
  leaf: KeyPair;
  /** Self-signed, same names. */
  selfSigned: KeyPair;
  /** Signed by the test CA but only for wrong.example (hostname mismatch). */
  wrongName: KeyPair;
}

let cached: TestPki | undefined;

const SAN = "subjectAltName=DNS:localhost,DNS:*.test,DNS:shop.test,IP:127.0.0.1,IP:::1";

/** Makes (once per process) a test CA and leaf certificates. Needs the `openssl` command. */
export function makeTestPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "ectrust-pki-"));
  const ossl = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    ossl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "120", "-subj", "/CN=ectrust test CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    const leaf = (name: string, san: string): void => {
      ossl("req", "-new", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
      writeFileSync(join(dir, `${name}.ext`), `${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      ossl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "90",
        "-out", `${name}.crt`, "-extfile", `${name}.ext`);
    };
    leaf("leaf", SAN);
    leaf("wrong", "subjectAltName=DNS:wrong.example");
    ossl("req", "-x509", ...ec, "-keyout", "self.key", "-out", "self.crt", "-days", "90", "-subj", "/CN=self-signed", "-addext", SAN);
    const read = (f: string): string => readFileSync(join(dir, f), "utf8");
    cached = {
      caCert: read("ca.crt"),
      leaf: { key: read("leaf.key"), cert: read("leaf.crt") },
      selfSigned: { key: read("self.key"), cert: read("self.crt") },
      wrongName: { key: read("wrong.key"), cert: read("wrong.crt") },
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestDns {
  /** "127.0.0.1:PORT", to give to dnsServerResolver. */
  server: string;
  /** Change answers while running (DNS-rebinding tests). */
  zone: Map<string, { a?: string[]; aaaa?: string[]; txt?: string[] }>;
  queries: number;
  close(): Promise<void>;
}

/** A real UDP DNS server on 127.0.0.1 answering from `zone` (names lowercase, no trailing dot). */
export async function startTestDns(zone: Record<string, { a?: string[]; aaaa?: string[]; txt?: string[] }>): Promise<TestDns> {
  const z = new Map(Object.entries(zone));
  const server = createServer({ udp: true });
  const state: TestDns = {
    server: "",
    zone: z,
    queries: 0,
    close: async () => {
      await server.close();
    },
  };
  server.on("request", (request, send) => {
    state.queries++;
    const response = Packet.createResponseFromRequest(request);
    const q = request.questions[0];
    const entry = q ? z.get(q.name.toLowerCase().replace(/\.$/, "")) : undefined;
    if (q && entry) {
      type Answer = (typeof response.answers)[number];
      const rr = (type: number, extra: { address?: string; data?: string }): Answer =>
        ({ name: q.name, class: Packet.CLASS.IN, ttl: 1, type, ...extra }) as unknown as Answer;
      if (q.type === Packet.TYPE.A) for (const address of entry.a ?? []) response.answers.push(rr(Packet.TYPE.A, { address }));
      if (q.type === Packet.TYPE.AAAA) for (const address of entry.aaaa ?? []) response.answers.push(rr(Packet.TYPE.AAAA, { address }));
      if (q.type === Packet.TYPE.TXT) for (const data of entry.txt ?? []) response.answers.push(rr(Packet.TYPE.TXT, { data }));
    } else if (q) {
      response.header.rcode = Packet.RCODE.NXDOMAIN;
    }
    void send(response);
  });
  await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const addr = server.addresses().udp;
  state.server = `127.0.0.1:${addr?.port ?? 0}`;
  return state;
}
