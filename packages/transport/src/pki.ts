import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes, webcrypto } from 'node:crypto';

/** A certificate and its private key, both PEM. */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** Options of {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
  /** Subject CN (default "Fed-BioMed TS CA"). */
  commonName?: string;
  /** Validity in days (default 3650). */
  validityDays?: number;
}

/** Options of {@link issueCertificate}. */
export interface IssueOptions {
  /**
   * `researcher`: a server certificate (SAN `hostnames` and `ipAddresses`).
   * `node`: a client certificate whose CN (and a DNS SAN, when valid) is the node id the
   * researcher matches against the id claimed in hello.
   */
  role: 'researcher' | 'node';
  /** Subject CN: the node id for nodes, a host name for the researcher. */
  commonName: string;
  /** DNS names for a researcher certificate (default `["localhost"]`). */
  hostnames?: readonly string[];
  /** IP addresses for a researcher certificate (default `["127.0.0.1"]`). */
  ipAddresses?: readonly string[];
  /** Validity in days (default 825). */
  validityDays?: number;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Certificates start a little in the past so that small clock differences between hosts do not matter. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Loads @peculiar/x509 on first use. It needs the `reflect-metadata` polyfill, which installs itself
 * on the global `Reflect`; loading it lazily keeps importing this package free of side effects.
 */
async function loadX509() {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  return x509;
}

/** Creates a self-signed CA (ECDSA P-256, SHA-256) to sign researcher and node certificates. */
export async function createCertificateAuthority(options: CertificateAuthorityOptions = {}): Promise<PemPair> {
  const x509 = await loadX509();
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - CLOCK_SKEW_MS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [options.commonName ?? 'Fed-BioMed TS CA'] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.validityDays ?? 3650) * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: certificate.toString('pem'), keyPem: await privateKeyPem(x509, keys.privateKey) };
}

/** Issues a researcher (server) or node (client) certificate signed by `ca`. */
export async function issueCertificate(ca: PemPair, options: IssueOptions): Promise<PemPair> {
  if (options.commonName === '') throw new TypeError('issueCertificate: commonName must not be empty');
  const x509 = await loadX509();
  const caCertificate = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const names =
    options.role === 'researcher'
      ? [
          ...(options.hostnames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
          ...(options.ipAddresses ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
        ]
      : /^[A-Za-z0-9.-]+$/.test(options.commonName)
        ? [{ type: 'dns' as const, value: options.commonName }]
        : [];
  const notBefore = new Date(Date.now() - CLOCK_SKEW_MS);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [options.commonName] }],
    issuer: caCertificate.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.validityDays ?? 825) * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([options.role === 'researcher' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  return { certPem: certificate.toString('pem'), keyPem: await privateKeyPem(x509, keys.privateKey) };
}

/** Options of {@link writePemPair}. */
export interface WritePemPairOptions {
  /** Replace existing files (default true); when false, an existing `.crt` or `.key` fails the call before anything is written. */
  overwrite?: boolean;
}

/**
 * Writes `<name>.crt` and `<name>.key` (mode 0600, also when it replaces a file) into `dir`, creating
 * it; returns their paths.
 *
 * @throws Error with code `EEXIST` naming the file when `overwrite` is false and a file exists
 */
export async function writePemPair(
  dir: string,
  name: string,
  pair: PemPair,
  options: WritePemPairOptions = {},
): Promise<{ certPath: string; keyPath: string }> {
  await mkdir(dir, { recursive: true });
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const overwrite = options.overwrite ?? true;
  if (!overwrite) {
    for (const path of [certPath, keyPath]) {
      if (existsSync(path)) throw Object.assign(new Error(`${path} already exists`), { code: 'EEXIST', path });
    }
  }
  const flag = overwrite ? 'w' : 'wx';
  await writeFile(certPath, pair.certPem, { flag });
  await writeFile(keyPath, pair.keyPem, { mode: 0o600, flag });
  // writeFile's mode applies to new files only: a replaced key keeps its old mode without this.
  await chmod(keyPath, 0o600);
  return { certPath, keyPath };
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return bytes.toString('hex');
}

async function privateKeyPem(x509: Awaited<ReturnType<typeof loadX509>>, key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}
