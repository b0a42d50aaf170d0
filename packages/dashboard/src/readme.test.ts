import { join } from 'node:path';
import { runTsDocBlock } from '@fedbiomed/test-utils';

// Runs the README's example as a reader would (built packages: `npx tsc -b tsconfig.build.json` first),
// on the DP fixture folder in place of `runs/heart`.
test('the README example serves a folder and prints each round', async () => {
  const fixture = join(__dirname, '..', 'fixtures', 'dp-experiment');
  const run = await runTsDocBlock('packages/dashboard/README.md', 'dashboard-folder-example', { substitutions: { "'runs/heart'": JSON.stringify(fixture) } });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.stdout.trim().split('\n')).toEqual([
    'round 1: 2 replied, 0 dropped, accuracy 0.660',
    'round 2: 1 replied, 1 dropped, accuracy 0.700',
    'round 3: 2 replied, 0 dropped, accuracy 0.760',
  ]);
});
