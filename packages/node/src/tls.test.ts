import { join, relative } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { createCertificateAuthority, issueCertificate, ResearcherServer, writePemPair } from '@fedbiomed/transport';
import { createNode } from './node';
import { initNodeFolder, nodePaths } from './node-folder';
import { startNode } from './node-runtime';
import { SILENT_LOGGER } from './testing/fixtures';


describe('a node over mutual TLS, with certificates from its certs/ folder', () => {
  let tmp: TempDir;
  beforeAll(() => {
    tmp = makeTempDir('fedbiomed-node-tls-');
  });
  afterAll(() => tmp.dispose());

  it('joins a researcher that checks its certificate, and a missing file is named', async () => {
    const ca = await createCertificateAuthority({ commonName: 'Test CA' });
    const researcherPair = await issueCertificate(ca, { role: 'researcher', commonName: 'localhost', hostnames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const nodePair = await issueCertificate(ca, { role: 'node', commonName: 'hospital-tls' });
    const server = new ResearcherServer({ tls: { ...researcherPair, clientCaPem: ca.certPem }, logger: SILENT_LOGGER });
    const port = await server.start();
    const dir = join(tmp.path, 'node');
    const config = initNodeFolder(dir, { nodeId: 'hospital-tls', researcher: { address: `localhost:${port}` }, logLevel: 'silent' });
    const { certs } = nodePaths(dir);
    const written = await writePemPair(certs, 'node', nodePair);
    const { certPath: caPath } = await writePemPair(certs, 'ca', { certPem: ca.certPem, keyPem: ca.keyPem });
    // Paths relative to the node folder, as an operator writes them in config.json.
    const tls = { caCert: relative(dir, caPath), cert: relative(dir, written.certPath), key: relative(dir, written.keyPath) };
    expect(tls.caCert.startsWith('certs/')).toBe(true);
    const node = createNode({ dir, config: { ...config, researcher: { ...config.researcher, tls } } });
    try {
      const running = await startNode(node);
      const { reply } = await server.request('hospital-tls', { ping: { sentAtMs: 1 } }, { timeoutMs: 10_000 });
      expect(reply.ping).toBeDefined();
      await running.stop();
      expect(await running.stopped).toBeUndefined();
      const missing = createNode({ dir, config: { ...config, researcher: { ...config.researcher, tls: { caCert: 'certs/nope.pem' } } } });
      await expect(startNode(missing)).rejects.toThrow(/cannot read the CA certificate .*certs\/nope\.pem/);
      missing.close();
    } finally {
      node.close();
      await server.stop();
    }
  });
});
