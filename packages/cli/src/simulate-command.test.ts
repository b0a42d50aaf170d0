import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledDataset, makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { parseDataSpec } from './simulate-command';
import { requireBuiltCli, runCliToEnd, startCli, writeDocExperiment } from './cli-test-support.test.helper';

describe('fedbiomed simulate: --data', () => {
  it('reads type:path and type:path:{json options}, the options starting at the first ":{"', () => {
    expect(parseDataSpec('mnist:data/mnist')).toEqual({ type: 'mnist', path: 'data/mnist', options: {} });
    expect(parseDataSpec('heart-disease:/x/y:z/heart:{"center":2}')).toEqual({ type: 'heart-disease', path: '/x/y:z/heart', options: { center: 2 } });
  });

  it('names what is wrong with a malformed --data', () => {
    expect(() => parseDataSpec('data.csv')).toThrow('expected type:path[:{json options}], got "data.csv"');
    expect(() => parseDataSpec('csv:a.csv:{"label": }')).toThrow(/the options of "csv:a.csv:\{"label": \}" are not valid JSON/);
  });
});

describe('fedbiomed simulate (built CLI)', () => {
  beforeAll(requireBuiltCli);

  it('refuses --nodes with two datasets, and an unknown partition, before training anything', async () => {
    const two = startCli(['simulate', '--experiment', 'none.json', '--data', 'wdbc:a', '--data', 'wdbc:b', '--nodes', '3']);
    expect(await two.exited).toBe(2);
    expect(two.stderr()).toContain('--nodes cuts one dataset; 2 --data were given');
    const unknown = startCli(['simulate', '--experiment', 'none.json', '--data', 'wdbc:a', '--nodes', '3', '--partition', 'by-magic']);
    expect(await unknown.exited).not.toBe(0);
    expect(unknown.stderr()).toMatch(/--partition <scheme>' argument 'by-magic' is invalid/);
  }, 60_000);
});

describe('fedbiomed simulate on a dataset without a test split (WDBC, built CLI)', () => {
  let tmp: TempDir;
  beforeAll(requireBuiltCli);
  beforeEach(() => (tmp = makeTempDir('fbm-simulate-wdbc-')));
  afterEach(() => tmp.dispose());

  /** The CLI README's WDBC experiment for 2 rounds on any node, with `trainingArgs` replaced. */
  async function experimentWith(trainingArgs: Record<string, unknown>): Promise<string> {
    const { file } = await writeDocExperiment(tmp.path, 'packages/cli/README.md', 'cli-experiment-file');
    const { nodes: _anyNode, ...experiment } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...experiment, rounds: 2, trainingArgs }));
    return file;
  }

  const simulate = (experiment: string, out: string) =>
    runCliToEnd(['simulate', '--experiment', experiment, '--out', join(tmp.path, out), '--data', `wdbc:${bundledDataset('breast_cancer_wisconsin')}`, '--nodes', '3', '--seed', '1']);

  it('says why nothing was measured and how to hold out a test split, instead of an empty table alone', async () => {
    const stdout = await simulate(await experimentWith({ numUpdates: 5, batchSize: 16 }), 'no-test');
    expect(stdout).toMatch(/^3 node\(s\) did not evaluate \(each one's reason is in evaluation\.json\); node-0: .*has no test split: the request's testRatio is 0 .*set testRatio above 0/m);
    expect(stdout).toMatch(/^round 2\/2: 3 nodes in [\d.]+ s$/m);
    expect(stdout).not.toContain('global model before training');
  }, 120_000);

  it('refuses a Dirichlet partition that would leave a node below --min-partition-size, and keeps one that does not', async () => {
    const experiment = await experimentWith({ numUpdates: 5, batchSize: 16, testRatio: 0.25, testOnGlobalUpdates: true });
    const wdbc = `wdbc:${bundledDataset('breast_cancer_wisconsin')}`;
    const skewed = startCli(['simulate', '--experiment', experiment, '--out', join(tmp.path, 'skewed'), '--data', wdbc, '--nodes', '30', '--partition', 'dirichlet', '--alpha', '0.05']);
    expect(await skewed.exited).not.toBe(0);
    expect(skewed.stderr()).toContain('dirichlet partition with alpha 0.05: none of 100 draws gave each of the 30 nodes at least 1 sample(s)');
    const bounded = await runCliToEnd(['simulate', '--experiment', experiment, '--out', join(tmp.path, 'bounded'), '--data', wdbc, '--nodes', '20', '--partition', 'dirichlet', '--alpha', '0.5', '--min-partition-size', '5', '--seed', '2']);
    const sizes = /samples per node (\d+)-(\d+)/.exec(bounded);
    expect(Number(sizes?.[1])).toBeGreaterThanOrEqual(5);
    expect(bounded).not.toContain('dropped');
  }, 120_000);

  it('measures the global model on each node once testRatio holds out a split', async () => {
    const stdout = await simulate(await experimentWith({ numUpdates: 5, batchSize: 16, testRatio: 0.25, testOnGlobalUpdates: true }), 'with-test');
    expect(stdout).not.toContain('did not evaluate');
    expect(stdout).toMatch(/^round 2\/2: 3 nodes in [\d.]+ s, global model before training: accuracy 0\.\d{4}, loss \d+\.\d{4}$/m);
    const overall = stdout.split('\n').find((line) => line.includes('overall (sample-weighted)'));
    // 569 rows, a quarter of each node's share held out.
    expect(overall).toMatch(/│ 14[0-4] +│ 0\.\d{4} +│/);
  }, 120_000);
});
