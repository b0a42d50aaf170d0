// End to end through the CLI (docs/security.md): `fedbiomed researcher start` given only the hash
// of the enrolment token, and a real `fedbiomed node start` process holding the token itself.
import { spawn } from 'node:child_process';
import { NodeClient } from '@fedbiomed/transport';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { BIN, freePort, heartDiseaseNodes, requireBuiltCli, runCliToEnd, startCli, startNodes, until } from './cli-test-support.test.helper';
import type { LocalNodeProcess } from './local-nodes';

const TOKEN = 'hospital-enrolment-secret';

describe('enrolment tokens kept hashed by the researcher (spawned CLI and node processes)', () => {
  let root: TempDir;
  beforeAll(() => {
    requireBuiltCli();
    root = makeTempDir('fedbiomed-security-e2e-');
  });
  afterAll(() => root.dispose());

  it('hash-token prints the sha256: form, from the argument or $FEDBIOMED_ENROLMENT_TOKEN', async () => {
    // printf %s 'abc' | sha256sum
    expect((await runCliToEnd(['researcher', 'hash-token', 'abc'])).trim()).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const child = spawn(process.execPath, [BIN, 'researcher', 'hash-token'], { env: { ...process.env, FEDBIOMED_ENROLMENT_TOKEN: 'abc' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    expect(out.trim()).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('admits a node process presenting the token, and refuses one presenting the hash itself', async () => {
    const hash = (await runCliToEnd(['researcher', 'hash-token', TOKEN])).trim();
    const port = await freePort();
    const researcher = startCli(['researcher', 'start', '--port', String(port), '--token', hash]);
    let nodes: LocalNodeProcess[] = [];
    const impostor = new NodeClient({ address: `127.0.0.1:${port}`, nodeId: 'impostor', enrolmentToken: hash, handler: async () => ({ reply: { ping: {} } }) });
    try {
      await until(() => researcher.stdout().includes('listening on'), 'the researcher to listen');
      nodes = await startNodes(heartDiseaseNodes(root.path, 1), { address: `127.0.0.1:${port}`, token: TOKEN }, root.path);
      await until(() => /node online: .*\(hospital-cleveland\)/.test(researcher.stdout()), 'the node process online', 60_000);
      await expect(impostor.start()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('sent a wrong enrolment token') });
      expect(researcher.stdout()).not.toContain('node online: impostor');
    } finally {
      impostor.stop();
      await Promise.all(nodes.map((node) => node.stop()));
      researcher.child.kill('SIGINT');
      await researcher.exited;
    }
  }, 120_000);
});
