// Runs the five steps of packages/node/README.md with the built CLI as `fedbiomed` (build first:
// `npx tsc -b tsconfig.build.json`) against a real researcher server on loopback.
import { existsSync } from 'node:fs';
import { ResearcherServer } from '@fedbiomed/transport';
import { CLI_BIN, openGuide, type Guide } from '@fedbiomed/test-utils';

describe('packages/node/README.md', () => {
  let guide: Guide;
  let server: ResearcherServer;
  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    server = new ResearcherServer({ port: 0, enrolmentTokens: ['s3cret'] });
    const port = await server.start();
    guide = openGuide('packages/node/README.md', { ids: ['node-readme-init', 'node-readme-dataset', 'node-readme-plan', 'node-readme-start', 'node-readme-audit'], substitutions: { '50051': String(port) } });
  });
  afterAll(async () => {
    await guide.dispose();
    await server.stop();
  });

  it('initialises a node, registers a dataset, approves a plan, joins the researcher and shows the audit', async () => {
    expect((await guide.run('node-readme-init')).stdout).toContain('initialised node hospital-0 (Cleveland Clinic)');
    expect((await guide.run('node-readme-dataset')).stdout).toMatch(/heart-disease │ heart, center-0 │ 303/);
    expect((await guide.run('node-readme-plan')).stdout).toMatch(/approved/i);
    const online = new Promise((resolve) => server.on('nodeOnline', resolve));
    const node = guide.start('node-readme-start');
    await online;
    expect(server.nodes().map((n) => n.id)).toEqual(['hospital-0']);
    expect(await node.stop()).toBe(0);
    const audit = await guide.run('node-readme-audit');
    expect(audit.stdout).toContain('plan.approve');
    expect(audit.stdout).toContain('alice');
    guide.finish();
  }, 180_000);
});
