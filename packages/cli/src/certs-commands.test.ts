import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { BIN, requireBuiltCli } from './cli-test-support.test.helper';

function fedbiomed(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
}

describe('fedbiomed certs (spawned CLI)', () => {
  let dir: TempDir;
  beforeAll(requireBuiltCli);
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => dir.dispose());

  it('creates a CA and issues a server certificate with the given SANs and a client certificate named by the node id', () => {
    expect(fedbiomed(dir.path, 'certs', 'ca', '--out', 'pki', '--name', 'Study CA', '--days', '30').status).toBe(0);
    const issued = fedbiomed(dir.path, 'certs', 'issue', '--ca', 'pki', '--name', 'researcher', '--host', '127.0.0.1', '--host', 'researcher.example.org', '--out', 'r');
    expect(issued.status).toBe(0);
    expect(fedbiomed(dir.path, 'certs', 'issue', '--ca', 'pki', '--client', '--name', 'hospital-a', '--out', 'a').status).toBe(0);

    const ca = new X509Certificate(readFileSync(join(dir.path, 'pki', 'ca.crt')));
    const server = new X509Certificate(readFileSync(join(dir.path, 'r', 'researcher.crt')));
    const client = new X509Certificate(readFileSync(join(dir.path, 'a', 'hospital-a.crt')));
    expect(ca.subject).toBe('CN=Study CA');
    expect(Date.parse(ca.validTo) - Date.now()).toBeLessThan(31 * 86_400_000);
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toBe('DNS:researcher.example.org, IP Address:127.0.0.1');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(client.subject).toBe('CN=hospital-a');
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth
    for (const key of ['pki/ca.key', 'r/researcher.key', 'a/hospital-a.key']) expect(statSync(join(dir.path, key)).mode & 0o777).toBe(0o600);
  });

  it('never replaces an existing file without --force', () => {
    expect(fedbiomed(dir.path, 'certs', 'ca', '--out', 'pki').status).toBe(0);
    const before = readFileSync(join(dir.path, 'pki', 'ca.key'), 'utf8');
    const again = fedbiomed(dir.path, 'certs', 'ca', '--out', 'pki');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`${join('pki', 'ca.crt')} already exists; nothing was written (--force replaces it)`);
    expect(readFileSync(join(dir.path, 'pki', 'ca.key'), 'utf8')).toBe(before);
    expect(fedbiomed(dir.path, 'certs', 'ca', '--out', 'pki', '--force').status).toBe(0);
    expect(readFileSync(join(dir.path, 'pki', 'ca.key'), 'utf8')).not.toBe(before);
  });

  it('names what is missing: the CA files, the hosts of a server certificate, a valid --days', () => {
    const noCa = fedbiomed(dir.path, 'certs', 'issue', '--ca', 'nowhere', '--name', 'n', '--client', '--out', 'n');
    expect(noCa.status).toBe(1);
    expect(noCa.stderr).toContain(`cannot read ${join('nowhere', 'ca.crt')}`);
    expect(noCa.stderr).toContain('fedbiomed certs ca --out nowhere');
    const noHost = fedbiomed(dir.path, 'certs', 'issue', '--ca', 'pki', '--name', 'researcher', '--out', 'r');
    expect(noHost.status).toBe(2);
    expect(noHost.stderr).toContain('a server certificate needs the names nodes dial: --host');
    const badDays = fedbiomed(dir.path, 'certs', 'ca', '--out', 'pki', '--days', '0');
    expect(badDays.status).not.toBe(0);
    expect(badDays.stderr).toContain('expected a positive number of days, got "0"');
  });

  it('describes each subcommand in --help', () => {
    const help = fedbiomed(dir.path, 'certs', '--help').stdout;
    expect(help).toMatch(/ca \[options\]\s+create a certificate authority/);
    expect(help).toMatch(/issue \[options\]\s+issue a certificate signed by the CA/);
  });
});
