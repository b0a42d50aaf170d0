import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, openGuide, type Guide } from '@fedbiomed/test-utils';
import { pendingPlans, requireBuiltCli, runCliToEnd, until } from './cli-test-support.test.helper';

// The top-level README's "A researcher's script", run as a newcomer runs it, block by block in the
// document's order: the node setup commands (real `npx fedbiomed` node folders and SQLite
// registries), the nodes started in the background, the script saved as researcher.mjs in a folder
// inside the repository and run with `node`; the operators approve through `plan approve`.
describe("the README's researcher script", () => {
  let guide: Guide;

  beforeAll(async () => {
    requireBuiltCli();
    guide = openGuide('README.md', {
      ids: ['readme-nodes-setup', 'readme-nodes-start', 'readme-researcher-script', 'readme-run-script'],
      substitutions: { '50051': String(await freePort()) },
    });
  });
  afterAll(() => guide.dispose());

  it('sets up three nodes, waits for them, asks for approval, trains, evaluates and exports the model', async () => {
    const setup = await guide.run('readme-nodes-setup');
    expect(setup.stdout.match(/registered/gi)?.length ?? 0).toBeGreaterThanOrEqual(3);
    const nodes = guide.start('readme-nodes-start');
    guide.write('readme-researcher-script', 'researcher.mjs');
    const script = guide.start('readme-run-script');
    const folders = [0, 1, 2].map((i) => join(guide.dir, 'nodes', `hospital-${i}`));

    await until(() => (script.output().match(/waiting for the operator of /g) ?? []).length === 3, 'the script to ask the three operators', 60_000);
    expect(script.output()).not.toMatch(/round 1 done/); // nothing trains before the operators decide
    const pending = await Promise.all(folders.map((dir) => pendingPlans(dir)));
    const hash = pending[0]![0]!.sha256;
    expect(pending.map((plans) => plans.map((p) => p.sha256))).toEqual([[hash], [hash], [hash]]);
    for (const i of [0, 1, 2]) expect(script.output()).toContain(`waiting for the operator of Hospital ${i}: fedbiomed node --path <its folder> plan approve ${hash}`);
    await Promise.all(folders.map((dir) => runCliToEnd(['node', '--path', dir, 'plan', 'approve', hash])));

    expect(await script.exited).toBe(0);
    const output = script.output();
    expect(output).toContain('round 5 done');
    expect(Number(/test accuracy (\d\.\d+) on (\d+) samples/.exec(output)?.[1])).toBeGreaterThanOrEqual(0.9);
    expect(output).toMatch(/on 14\d samples/);
    expect(existsSync(join(guide.dir, 'runs', 'wdbc', 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(guide.dir, 'runs', 'wdbc', 'metrics.csv'))).toBe(true);
    expect(output).not.toMatch(/running TensorFlow\.js in Node\.js/); // no tfjs banner in a researcher's script
    // The nodes' logs, readable, say what they did.
    expect(readFileSync(join(guide.dir, 'nodes', 'hospital-0.log'), 'utf8')).toMatch(/trained round 5 of experiment/);
    guide.finish();
    await nodes.stop();
  }, 180_000);
});
