// Runs docs/guides/deployment.md as a reader would, on loopback: the built CLI (`npx tsc -b
// tsconfig.build.json` first), a real researcher process serving mutual TLS and real node processes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, freePort, openGuide, type Guide } from '@fedbiomed/test-utils';

const GUIDE = 'docs/guides/deployment.md';

describe(GUIDE, () => {
  let guide: Guide;

  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    guide = openGuide(GUIDE, { substitutions: { 'researcher.example.org': '127.0.0.1', '50051': String(await freePort()) } });
  });
  afterAll(() => guide.dispose());

  it('sets up a CA, a researcher serving mutual TLS and a node that joins it; a node without a certificate is refused', async () => {
    await guide.run('deploy-create-ca');
    expect(statSync(join(guide.dir, 'pki', 'ca.key')).mode & 0o077).toBe(0);
    await guide.run('deploy-issue-researcher');
    await guide.run('deploy-issue-nodes');
    expect(readFileSync(join(guide.dir, 'to-hospital-b', 'hospital-b.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');
    await guide.run('deploy-token');

    const researcher = guide.start('deploy-researcher-start');
    await researcher.waitFor(/researcher listening on 0\.0\.0\.0:\d+ \(mutual TLS\)/);
    expect(researcher.output()).not.toContain('PLAINTEXT');

    await guide.run('deploy-node-init');
    const node = guide.start('deploy-node-start');
    await researcher.waitFor('node online: Hospital A (hospital-a)', 90_000);

    const refused = await guide.run('deploy-node-refused');
    expect(refused.stderr).toContain('node "hospital-x" presented no client certificate signed by the researcher\'s CA');
    expect(refused.stdout).toContain('refused, exit code 1');
    expect(researcher.output()).not.toContain('node online: hospital-x');
    guide.finish();

    expect(await node.stop()).toBe(0);
    expect(await researcher.stop()).toBe(0);
  }, 180_000);
});
