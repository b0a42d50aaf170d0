// Runs the shell blocks of packages/cli/README.md with the built CLI as `fedbiomed` (build first:
// `npx tsc -b tsconfig.build.json`). The experiment itself (nodes, approval, rounds) is exercised by
// the CLI's own end-to-end tests; here the documented command and file are the ones that start.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { saveModel } from '@fedbiomed/training';
import { CLI_BIN, freePort, openGuide, type Guide } from '@fedbiomed/test-utils';

describe('packages/cli/README.md', () => {
  let guide: Guide;
  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    guide = openGuide('packages/cli/README.md', {
      ids: ['cli-demo', 'cli-researcher-serve', 'cli-experiment-file', 'cli-researcher-experiment'],
      substitutions: { '50051': String(await freePort()) },
    });
  });
  afterAll(() => guide.dispose());

  it('runs the demo, serves nodes, and starts the documented experiment file', async () => {
    const demo = await guide.run('cli-demo');
    expect(demo.stdout).toContain('overall (sample-weighted)');
    expect(existsSync(join(guide.dir, 'demo-output', 'model', 'model.json'))).toBe(true);

    const serve = guide.start('cli-researcher-serve');
    await serve.waitFor(/researcher listening on 127\.0\.0\.1:\d+ \(plaintext\)/);
    expect(await serve.stop()).toBe(0);

    guide.write('cli-experiment-file', 'experiment.json');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [13] })] });
    await saveModel(model, join(guide.dir, 'model'));
    model.dispose();
    const experiment = guide.start('cli-researcher-experiment');
    await experiment.waitFor('waiting for 3 node(s)');
    expect(experiment.output()).not.toContain('error');
    await experiment.stop();
    guide.finish();
  }, 240_000);
});
