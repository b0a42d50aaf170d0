// Runs the example of packages/researcher/README.md against two real node processes (built CLI:
// `npx tsc -b tsconfig.build.json` first) holding Fed-Heart-Disease centers, whose policy approves
// plans made of Dense layers, as the README's "start nodes with fedbiomed node start" asks.
import { makeTempDir, runTsDocBlock } from '@fedbiomed/test-utils';
import { freePort, heartDiseaseNodes, requireBuiltCli, startNodes } from './cli-test-support.test.helper';

describe('packages/researcher/README.md example', () => {
  beforeAll(requireBuiltCli);

  it('runs five FedAvg rounds on the nodes it finds and exports the model', async () => {
    const dir = makeTempDir();
    const port = await freePort();
    const specs = heartDiseaseNodes(dir.path, 2).map((spec) => ({ ...spec, policy: { autoApproveLayers: ['Dense'] } }));
    const nodes = await startNodes(specs, { address: `127.0.0.1:${port}`, token: 'readme-token' }, dir.path);
    try {
      const { code, stdout, stderr } = await runTsDocBlock('packages/researcher/README.md', 'researcher-example', {
        substitutions: { '50051': String(port) },
        env: { TOKEN: 'readme-token' },
        timeoutMs: 200_000,
      });
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/^approved on 2 nodes$/m);
      expect(stdout).toMatch(/^5 \{ accuracy: [\d.]+/m); // round 5's metrics before training
      expect(stdout).toMatch(/accuracy: 0\.[6-9]\d*/); // the final evaluation
    } finally {
      await Promise.all(nodes.map((node) => node.stop()));
      dir.dispose();
    }
  }, 240_000);
});
