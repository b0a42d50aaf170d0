// Runs docs/guides/researcher.md as a newcomer would, on loopback: the built CLI (`npx tsc -b
// tsconfig.build.json` first), real node processes with their SQLite registries, a real researcher
// process, operators approving through the node CLI, and the exported model used outside.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, docBlocks, freePort, openGuide, type Guide } from '@fedbiomed/test-utils';

const GUIDE = 'docs/guides/researcher.md';

describe(GUIDE, () => {
  let guide: Guide;

  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    // Section 9 (simulation, no node processes) runs in researcher-guide-simulation.test.ts.
    const ids = docBlocks(GUIDE).flatMap((block) => (block.id === undefined || block.id.startsWith('rg-sim-') ? [] : [block.id]));
    guide = openGuide(GUIDE, { substitutions: { '50051': String(await freePort()), '8484': String(await freePort()) }, ids });
  });
  afterAll(() => guide.dispose());

  it('trains on the bundled heart-disease centers after the operators approve, then on a CSV of your own, predicts outside, and fits a Cox model', async () => {
    const nodes = await guide.run('rg-nodes');
    expect(nodes.stdout.match(/registered/gi)?.length ?? 0).toBeGreaterThanOrEqual(3);
    const heartNodes = ['rg-node-0', 'rg-node-1', 'rg-node-2'].map((id) => guide.start(id));
    guide.write('rg-model-script', 'model.mjs');
    expect((await guide.run('rg-model-save')).stdout).toContain('saved a logistic regression on 13 features');
    guide.write('rg-heart-experiment', 'heart.json');

    const heart = guide.start('rg-heart-run');
    await heart.waitFor(/waiting for approval on Hospital 0 \(hospital-0\).*plan approve [0-9a-f]{64}/, 90_000);
    await heart.waitFor(/waiting for approval on Hospital 2/, 30_000);
    expect(heart.output()).not.toMatch(/round 1\//); // nothing trains before the operators decide
    const approved = await guide.run('rg-approve');
    expect(approved.stdout.match(/\) is approved/g)).toHaveLength(3);
    expect(approved.stdout).toMatch(/Loss: binary_crossentropy/i);
    expect(await heart.exited).toBe(0);
    expect(heart.output()).toMatch(/overall/);

    const results = await guide.run('rg-heart-results');
    expect(results.stdout).toContain('model.json');
    const accuracy = Number(/accuracy: ([\d.]+)/.exec(results.stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(0.6);
    await Promise.all(heartNodes.map((node) => node.stop()));

    const dashboard = guide.start('rg-dashboard');
    const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(await dashboard.waitFor(/at http:\/\/127\.0\.0\.1:\d+\//, 30_000))?.[1] as string;
    const state = (await (await fetch(new URL('api/state', url))).json()) as { rounds: { status: string; replied: string[] }[] };
    expect(state.rounds.map((round) => [round.status, round.replied.length])).toEqual(Array(5).fill(['completed', 3]));
    expect(await dashboard.stop()).toBe(0);

    await guide.run('rg-csv-files');
    const refused = await guide.run('rg-csv-refused');
    expect(refused.stderr).toMatch(/MISSING_VALUE.*row 5, column "x1"/);
    expect(refused.stdout).toContain('refused, as it should be');
    const added = await guide.run('rg-csv-add');
    expect(added.stdout).toMatch(/dropped 1 of \d+ rows with missing values \(policy: drop\)/);
    const sites = [guide.start('rg-site-a'), guide.start('rg-site-b')];
    expect((await guide.run('rg-csv-model')).stdout).toContain('on 30 features');
    guide.write('rg-csv-experiment', 'my-study.json');
    const study = guide.start('rg-csv-run');
    await study.waitFor(/waiting for approval on Site B/, 90_000);
    await guide.run('rg-csv-approve');
    expect(await study.exited).toBe(0);
    const evaluation = JSON.parse(readFileSync(join(guide.dir, 'runs', 'my-study', 'evaluation.json'), 'utf8')) as { metrics: { values: { accuracy: number } } };
    expect(evaluation.metrics.values.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(existsSync(join(guide.dir, 'runs', 'my-study', 'model', 'preprocessing.json'))).toBe(true);

    guide.write('rg-predict-script', 'predict.mjs');
    const predicted = await guide.run('rg-predict');
    expect(Number(/raw rows: ([\d.]+)/.exec(predicted.stdout)?.[1])).toBeGreaterThanOrEqual(0.9);
    await Promise.all(sites.map((site) => site.stop()));

    expect((await guide.run('rg-surv-files')).stdout).toContain('age,stage,marker,time,event,split');
    const registered = await guide.run('rg-surv-add');
    expect(registered.stdout.match(/registered dataset/g)).toHaveLength(2);
    const clinics = [guide.start('rg-surv-node-a'), guide.start('rg-surv-node-b')];
    guide.write('rg-surv-model-script', 'cox-model.mjs');
    expect((await guide.run('rg-surv-model-save')).stdout).toContain('saved a linear Cox model');
    guide.write('rg-surv-experiment', 'survival.json');
    const survival = guide.start('rg-surv-run');
    await survival.waitFor(/waiting for approval on Clinic a/, 90_000);
    await survival.waitFor(/waiting for approval on Clinic b/, 30_000);
    expect(survival.output()).not.toMatch(/round 1\//);
    const approvedClinics = await guide.run('rg-surv-approve');
    expect(approvedClinics.stdout.match(/\) is approved/g)).toHaveLength(2);
    expect(await survival.exited).toBe(0);
    const survivalResults = (await guide.run('rg-surv-results')).stdout;
    const cIndices = [...survivalResults.matchAll(/clinic-[ab] C-index: ([\d.]+)/g)].map((match) => Number(match[1]));
    expect(cIndices).toHaveLength(2);
    for (const c of cIndices) expect(c).toBeGreaterThan(0.65); // the true model's C-index is about 0.7
    const [, mean, pooled, bound] = /all clinics: C-index ([\d.]+) \(sample-weighted mean\), ([\d.]+) ± ([\d.]+) \(pooled from binned counts\)/.exec(survivalResults) ?? [];
    expect(Number(pooled)).toBeGreaterThan(0.65);
    expect(Number(bound)).toBeLessThan(0.01);
    expect(Number(mean)).toBeGreaterThan(0.65);
    const coefficients = /coefficients: (\S+) (\S+) (\S+)/.exec(survivalResults)!.slice(1).map(Number);
    expect(coefficients.map(Math.sign)).toEqual([1, -1, 1]); // the generating model's signs: 0.7, -0.5, 0.4
    guide.finish();
    await Promise.all(clinics.map((clinic) => clinic.stop()));
  }, 600_000);
});
