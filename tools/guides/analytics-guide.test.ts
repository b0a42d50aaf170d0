// Runs docs/analytics.md as a researcher would, on loopback: the built CLI (`npx tsc -b
// tsconfig.build.json` first), four real node processes with their SQLite registries on the bundled
// Fed-Heart-Disease centres, `fedbiomed researcher analytics` as a process, operators approving the
// query through the node CLI; the pooled statistics are checked against the concatenated centres.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEART_DISEASE_CENTERS, openHeartDisease } from '@fedbiomed/datasets';
import { bundledDataset, CLI_BIN, freePort, openGuide, type Guide } from '@fedbiomed/test-utils';

const GUIDE = 'docs/analytics.md';

interface Stats {
  pooled: { kind: string; count?: number; mean?: number[]; std?: number[]; counts?: number[]; correlation?: number[][]; quantiles?: { value: number; lower: number; upper: number }[] }[];
  nodes: { nodeId: string }[];
}

describe(GUIDE, () => {
  let guide: Guide;

  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    guide = openGuide(GUIDE, { substitutions: { '50051': String(await freePort()) } });
  });
  afterAll(() => guide.dispose());

  it('runs a query on four heart-disease nodes once their operators approve it; the pooled statistics equal those of the concatenated centres', async () => {
    expect((await guide.run('an-nodes')).stdout.match(/registered/gi)?.length ?? 0).toBeGreaterThanOrEqual(4);
    const nodes = ['an-node-0', 'an-node-1', 'an-node-2', 'an-node-3'].map((id) => guide.start(id));
    guide.write('an-query-file', 'heart-query.json');
    const run = guide.start('an-run');
    await run.waitFor(/waiting for approval on Hospital 3 \(hospital-3\): query "heart-overview" [0-9a-f]{12}…; its operator runs: fedbiomed node --path <node folder> plan approve [0-9a-f]{64}/, 90_000);
    await run.waitFor(/waiting for approval on Hospital 0/, 30_000);
    expect(run.output()).not.toContain('pooled:');
    const approved = await guide.run('an-approve');
    expect(approved.stdout).toContain('analytics query "heart-overview" over all rows');
    expect(approved.stdout).toContain('histogram of age over 2 bins [28, 80]');
    const code = await run.exited;
    if (code !== 0) throw new Error(`fedbiomed researcher analytics exited ${code}:\n${run.output()}`);
    expect(run.output()).toMatch(/pooled:\n {2}#1 count: 740\n/);

    const stats = JSON.parse(readFileSync(join(guide.dir, 'heart-stats.json'), 'utf8')) as Stats;
    expect(stats.nodes.map((n) => n.nodeId)).toEqual(['hospital-0', 'hospital-1', 'hospital-2', 'hospital-3']);
    const centres = await Promise.all(HEART_DISEASE_CENTERS.map((_, c) => openHeartDisease({ dir: bundledDataset('heart_disease'), center: c as 0 | 1 | 2 | 3, normalize: false })));
    const rows = centres.flatMap(({ dataset }) => Array.from({ length: dataset.size }, (_, i) => dataset.features(i)));
    const names = centres[0]!.dataset.metadata.featureNames!;
    const col = (name: string): number[] => rows.map((row) => row[names.indexOf(name)]!);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = (xs: number[]): number => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
    const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    expect(stats.pooled[0]!.count).toBe(rows.length);
    ['age', 'trestbps', 'chol'].forEach((name, j) => {
      close(stats.pooled[1]!.mean![j]!, mean(col(name)));
      close(stats.pooled[2]!.std![j]!, std(col(name)));
    });
    const ages = col('age');
    expect(stats.pooled[4]!.counts).toEqual([ages.filter((a) => a >= 28 && a < 55).length, ages.filter((a) => a >= 55 && a <= 80).length]);
    const median = [...ages].sort((a, b) => a - b)[Math.ceil(0.5 * ages.length) - 1]!;
    const q = stats.pooled[5]!.quantiles![0]!;
    expect(median).toBeGreaterThanOrEqual(q.lower);
    expect(median).toBeLessThanOrEqual(q.upper);

    const printed = (await guide.run('an-results')).stdout;
    expect(JSON.parse(printed)).toMatchObject({ kind: 'mean', features: ['age', 'trestbps', 'chol'], count: rows.length });
    guide.finish();
    await Promise.all(nodes.map((node) => node.stop()));
  }, 300_000);
});
