// Runs section 9 of docs/guides/researcher.md (simulation) as a reader would, after the model and the
// experiment file of section 2: the built CLI's `fedbiomed simulate` (`npx tsc -b tsconfig.build.json`
// first) over virtual nodes in its own process, then the SDK script.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, openGuide, type Guide } from '@fedbiomed/test-utils';

const GUIDE = 'docs/guides/researcher.md';

describe(`${GUIDE}, section 9 (simulation)`, () => {
  let guide: Guide;

  beforeAll(() => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    guide = openGuide(GUIDE, { ids: ['rg-model-script', 'rg-model-save', 'rg-heart-experiment', 'rg-sim-heart', 'rg-sim-partition', 'rg-sim-resume', 'rg-sim-script', 'rg-sim-run-script'] });
  });
  afterAll(() => guide.dispose());

  it('runs the heart experiment file on 3 virtual centres, then on 4 Dirichlet parts of one (and again, stopped after round 2 and resumed on 2 worker threads), then the SDK script on 40 MNIST nodes', async () => {
    guide.write('rg-model-script', 'model.mjs');
    await guide.run('rg-model-save');
    guide.write('rg-heart-experiment', 'heart.json');

    const heart = await guide.run('rg-sim-heart');
    expect(heart.stdout).toContain('3 virtual node(s)');
    const evaluation = JSON.parse(readFileSync(join(guide.dir, 'runs', 'heart-sim', 'evaluation.json'), 'utf8')) as { round: number; metrics: { values: { accuracy: number } } };
    expect(evaluation.round).toBe(5);
    expect(evaluation.metrics.values.accuracy).toBeGreaterThan(0.6);
    expect(existsSync(join(guide.dir, 'runs', 'heart-sim', 'model', 'model.json'))).toBe(true);

    const parts = await guide.run('rg-sim-partition');
    expect(parts.stdout).toContain('4 virtual node(s)');
    expect(parts.stdout).toContain('4 nodes evaluated');

    const resumed = await guide.run('rg-sim-resume');
    expect(resumed.stdout).toMatch(/resuming experiment \S+ after round 2 of 5/);
    expect(resumed.stdout).toContain('4 virtual node(s) on 2 worker thread(s)');
    const evaluationOf = (run: string) => JSON.parse(readFileSync(join(guide.dir, 'runs', run, 'evaluation.json'), 'utf8')) as { round: number; metrics: unknown };
    expect(evaluationOf('heart-resumed').round).toBe(5);
    expect(evaluationOf('heart-resumed').metrics).toEqual(evaluationOf('heart-dirichlet').metrics);
    const weightsOf = (run: string) => readFileSync(join(guide.dir, 'runs', run, 'model', 'weights.bin'));
    expect(weightsOf('heart-resumed').equals(weightsOf('heart-dirichlet'))).toBe(true);
    expect(readdirSync(join(guide.dir, 'runs', 'heart-resumed-nodes')).filter((file) => file.endsWith('.db'))).toHaveLength(4);

    guide.write('rg-sim-script', 'simulate.mjs');
    const script = await guide.run('rg-sim-run-script');
    const accuracy = Number(/over 40 virtual nodes: ([\d.]+)/.exec(script.stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(0.3); // chance is 0.1; two digits per node pull the average apart
    guide.finish();
  }, 300_000);
});
