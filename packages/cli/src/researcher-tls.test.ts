import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, NodeClient, writePemPair } from '@fedbiomed/transport';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { requireBuiltCli, startCli, type CliProcess } from './cli-test-support.test.helper';
import { readExperimentFile } from './researcher-config';

async function until(condition: () => boolean, what: string, process: CliProcess): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!condition()) throw new Error(`timed out waiting for ${what}; stdout: ${process.stdout()} stderr: ${process.stderr()}`);
}

describe('fedbiomed researcher start over TLS (spawned CLI)', () => {
  let dir: TempDir;
  let paths: { ca: string; cert: string; key: string };
  let nodePem: { certPem: string; keyPem: string; caPem: string };
  beforeAll(async () => {
    requireBuiltCli();
    dir = makeTempDir();
    const ca = await createCertificateAuthority();
    const researcher = await issueCertificate(ca, { role: 'researcher', commonName: 'researcher', ipAddresses: ['127.0.0.1'] });
    const node = await issueCertificate(ca, { role: 'node', commonName: 'node-1' });
    const { certPath: caPath } = await writePemPair(dir.path, 'ca', ca);
    const { certPath, keyPath } = await writePemPair(dir.path, 'researcher', researcher);
    paths = { ca: caPath, cert: certPath, key: keyPath };
    nodePem = { ...node, caPem: ca.certPem };
  });
  afterAll(() => dir.dispose());

  async function listeningPort(researcher: CliProcess): Promise<string> {
    await until(() => /listening on [\d.]+:\d+/.test(researcher.stdout()), 'the listening line', researcher);
    return /listening on [\d.]+:(\d+)/.exec(researcher.stdout())![1]!;
  }

  it('serves mutual TLS with --tls-cert/--tls-key/--tls-ca, without tokens: a node with its certificate joins', async () => {
    const researcher = startCli(['researcher', 'start', '--port', '0', '--tls-cert', paths.cert, '--tls-key', paths.key, '--tls-ca', paths.ca]);
    const port = await listeningPort(researcher);
    expect(researcher.stdout()).toContain('(mutual TLS)');
    const client = new NodeClient({ address: `127.0.0.1:${port}`, nodeId: 'node-1', tls: nodePem, handler: async () => ({ reply: { ping: {} } }) });
    await client.start();
    await until(() => researcher.stdout().includes('node online: node-1 (node-1)'), 'the node online line', researcher);
    client.stop();
    researcher.child.kill('SIGINT');
    expect(await researcher.exited).toBe(0);
  }, 60_000);

  it('warns loudly when serving plaintext on a non-loopback interface, and not on loopback', async () => {
    const open = startCli(['researcher', 'start', '--host', '0.0.0.0', '--port', '0', '--token', 't']);
    await listeningPort(open);
    expect(open.stdout()).toContain('(plaintext)');
    expect(open.stderr()).toContain('WARNING: serving PLAINTEXT gRPC on 0.0.0.0');
    open.child.kill('SIGINT');
    expect(await open.exited).toBe(0);
    const loopback = startCli(['researcher', 'start', '--port', '0', '--token', 't']);
    await listeningPort(loopback);
    expect(loopback.stderr()).not.toContain('PLAINTEXT');
    loopback.child.kill('SIGINT');
    expect(await loopback.exited).toBe(0);
  }, 60_000);

  it('refuses a client CA without the researcher certificate, and names an unreadable file', async () => {
    const caOnly = startCli(['researcher', 'start', '--port', '0', '--tls-ca', paths.ca]);
    expect(await caOnly.exited).toBe(1);
    expect(caOnly.stderr()).toContain("TLS needs the researcher's certificate and key together");
    const missing = startCli(['researcher', 'start', '--port', '0', '--tls-cert', join(dir.path, 'nope.crt'), '--tls-key', paths.key]);
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toContain(`--tls-cert: cannot read ${join(dir.path, 'nope.crt')}`);
  }, 30_000);

  it('reads an experiment file\'s tls object with paths relative to the file', () => {
    const file = join(dir.path, 'experiment.json');
    const plan = { name: 'p', loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.1 } };
    writeFileSync(file, JSON.stringify({ tags: ['t'], rounds: 1, model: 'm', plan, tls: { cert: 'researcher.crt', key: 'researcher.key', clientCa: 'ca.crt' } }));
    expect(readExperimentFile(file).tls).toEqual({ cert: paths.cert, key: paths.key, clientCa: paths.ca });
    writeFileSync(file, JSON.stringify({ tags: ['t'], rounds: 1, model: 'm', plan, tls: { cert: 'researcher.crt' } }));
    expect(() => readExperimentFile(file)).toThrow(/option `tls\.key` is missing/);
  });
});
