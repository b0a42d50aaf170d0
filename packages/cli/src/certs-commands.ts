import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, writePemPair, type PemPair } from '@fedbiomed/transport';
import { Command, InvalidArgumentError } from 'commander';

/** File name (without extension) of the CA's certificate and key in its folder. */
export const CA_FILE_NAME = 'ca';

/**
 * Registers `fedbiomed certs ca|issue`: a small private CA for a study, the researcher's server
 * certificate and the nodes' client certificates (ECDSA P-256, `@fedbiomed/transport`'s helpers).
 */
export function registerCertsCommands(program: Command): void {
  const certs = program.command('certs').description('create a CA and issue TLS certificates for the researcher and the nodes');
  certs
    .command('ca')
    .description(`create a certificate authority: ${CA_FILE_NAME}.crt (give it to every node and the researcher) and ${CA_FILE_NAME}.key (keep it offline)`)
    .requiredOption('--out <dir>', 'folder to write ca.crt and ca.key into (created if missing)')
    .option('--name <cn>', 'subject common name of the CA', 'Fed-BioMed TS CA')
    .option('--days <n>', 'validity in days', days, 3650)
    .option('--force', 'replace existing files')
    .action(async function (this: Command) {
      const o = this.opts<{ out: string; name: string; days: number; force?: boolean }>();
      const ca = await createCertificateAuthority({ commonName: o.name, validityDays: o.days });
      await write(o.out, CA_FILE_NAME, ca, o.force === true);
    });
  certs
    .command('issue')
    .description('issue a certificate signed by the CA: the researcher\'s server certificate, or with --client a node\'s (CN = node id)')
    .requiredOption('--ca <dir>', 'folder holding ca.crt and ca.key')
    .requiredOption('--name <name>', 'file name and subject CN: the node id for --client, e.g. hospital-a')
    .requiredOption('--out <dir>', 'folder to write <name>.crt and <name>.key into (created if missing)')
    .option('--host <host>', 'DNS name or IP address nodes dial the researcher at (repeat for several; server certificates)', collect, [])
    .option('--client', 'a node\'s client certificate for mutual TLS instead of a server certificate')
    .option('--days <n>', 'validity in days', days, 825)
    .option('--force', 'replace existing files')
    .action(async function (this: Command) {
      const o = this.opts<{ ca: string; name: string; out: string; host: string[]; client?: boolean; days: number; force?: boolean }>();
      if (o.client === true && o.host.length > 0) this.error('error: --host names a server; a --client certificate names its node by --name', { exitCode: 2 });
      if (o.client !== true && o.host.length === 0) {
        this.error('error: a server certificate needs the names nodes dial: --host <name or IP> (repeatable), or --client for a node', { exitCode: 2 });
      }
      const ca = readCa(o.ca);
      const pair = await issueCertificate(ca, {
        role: o.client === true ? 'node' : 'researcher',
        commonName: o.name,
        hostnames: o.host.filter((host) => isIP(host) === 0),
        ipAddresses: o.host.filter((host) => isIP(host) !== 0),
        validityDays: o.days,
      });
      await write(o.out, o.name, pair, o.force === true);
    });
}

function readCa(dir: string): PemPair {
  const read = (extension: string): string => {
    const path = join(dir, `${CA_FILE_NAME}.${extension}`);
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${path} (${(error as Error).message}); create the CA with \`fedbiomed certs ca --out ${dir}\``);
    }
  };
  return { certPem: read('crt'), keyPem: read('key') };
}

async function write(dir: string, name: string, pair: PemPair, force: boolean): Promise<void> {
  try {
    const { certPath, keyPath } = await writePemPair(dir, name, pair, { overwrite: force });
    console.log(`wrote ${certPath} and ${keyPath} (private key, mode 0600)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new Error(`${(error as Error).message}; nothing was written (--force replaces it)`);
  }
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive number of days, got "${value}"`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
