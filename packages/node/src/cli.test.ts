/**
 * The `fedbiomed node` verbs driven as an operator would: spawned CLI processes (build first with
 * `npx tsc -b packages/cli`) on real SQLite files in temporary folders.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, bundledDataset, type TempDir, writeWdbcSample } from '@fedbiomed/test-utils';
import { openNode } from './node';
import { CLI, extractMedNist, logisticPlan, mlpPlan, runNodeCli, WDBC_CSV_OPTIONS, writeMedicalFolder, writeWdbcSlices } from './testing/fixtures';

jest.setTimeout(120_000);

describe('fedbiomed node (spawned CLI)', () => {
  let tmp: TempDir;
  let dir: string;
  const cli = (...args: string[]) => runNodeCli(dir, args);
  const ok = async (...args: string[]): Promise<string> => {
    const run = await cli(...args);
    if (run.code !== 0) throw new Error(`fedbiomed node ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return run.stdout;
  };
  const datasets = async (): Promise<Array<{ id: string; dataType: string; sampleCount: number; tags: string[] }>> =>
    JSON.parse(await ok('dataset', 'list', '--json'));

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-cli-');
    dir = join(tmp.path, 'node');
    await ok('init', '--name', 'Hospital A', '--id', 'hospital-a', '--researcher', '127.0.0.1:50051');
  });
  afterAll(() => tmp.dispose());

  it('adds every dataset type, lists, shows and removes them', async () => {
    const data = join(tmp.path, 'data');
    mkdirSync(join(data, 'medical'), { recursive: true });
    const medical = writeMedicalFolder(join(data, 'medical'));
    const images = extractMedNist(data);
    const add = (type: string, path: string, tags: string, options: unknown) =>
      ok('dataset', 'add', '--type', type, '--path', path, '--tags', tags, '--options', JSON.stringify(options), '--by', 'alice');

    const wdbc = bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv');
    expect(await add('csv', wdbc, 'wdbc', { ...WDBC_CSV_OPTIONS, skipLines: 1 })).toMatch(/569 samples of shape \[30\]/);
    expect(await add('wdbc', wdbc, 'breast-cancer', {})).toMatch(/569 samples of shape \[30\]/);
    expect(await add('heart-disease', bundledDataset('heart_disease'), 'heart,cleveland', { center: 'cleveland' })).toMatch(/303 samples of shape \[13\]/);
    expect(await add('mnist', bundledDataset('mnist'), 'mnist', {})).toMatch(/10000 samples of shape \[28, 28, 1\]/);
    expect(await add('images', images, 'mednist', {})).toMatch(/12 samples of shape \[64, 64, 1\]/);
    expect(await add('medical-folder', join(data, 'medical'), 'mri', medical.options)).toMatch(/6 samples of shape \[4, 4, 2, 1\]/);

    const listed = await datasets();
    expect(listed.map((d) => [d.dataType, d.sampleCount])).toEqual([
      ['csv', 569],
      ['wdbc', 569],
      ['heart-disease', 303],
      ['mnist', 10000],
      ['images', 12],
      ['medical-folder', 6],
    ]);
    expect(await ok('dataset', 'list')).toMatch(/heart, cleveland/);
    const heart = listed[2]!;
    const shown = await ok('dataset', 'show', heart.id);
    expect(shown).toMatch(/type\s+heart-disease/);
    expect(shown).toMatch(/samples\s+303/);
    expect(shown).toContain(bundledDataset('heart_disease'));

    expect(await ok('dataset', 'remove', listed[3]!.id)).toMatch(/removed/);
    expect((await datasets()).map((d) => d.dataType)).toEqual(['csv', 'wdbc', 'heart-disease', 'images', 'medical-folder']);
  });

  it('dataset add prints the rows a missing-value policy dropped; dataset show reads it back from the registry', async () => {
    const file = writeWdbcSample(join(tmp.path, 'gap.csv'), 190, (rows) => (rows[56]![3] = ''));
    const added = await ok('dataset', 'add', '--type', 'csv', '--path', file, '--tags', 'gap', '--options', '{"label":"target","missing":"drop"}');
    expect(added).toMatch(/189 samples of shape \[30\]/);
    expect(added).toContain('dropped 1 of 190 rows with missing values (policy: drop)');
    const id = (await datasets()).find((d) => d.tags.includes('gap'))!.id;
    expect(await ok('dataset', 'show', id)).toMatch(/missing values\s+dropped 1 of 190 rows with missing values \(policy: drop\)/);
    const imputed = await ok('dataset', 'add', '--type', 'csv', '--path', file, '--tags', 'gap-imputed', '--options', '{"label":"target","missing":{"impute":"median"}}');
    expect(imputed).toMatch(/190 samples/);
    expect(imputed).toContain('imputed 1 missing values in 1 of 190 rows (policy: impute median)');
    expect(await ok('dataset', 'add', '--type', 'heart-disease', '--path', bundledDataset('heart_disease'), '--tags', 'heart,hungary', '--options', '{"center":1}')).toContain(
      'dropped 33 of 294 rows with missing values (policy: drop)',
    );
  });

  it('registers plans, shows them readably, approves and rejects by hash, and audits every decision', async () => {
    const lr = logisticPlan(30);
    const mlp = mlpPlan(30);
    writeFileSync(join(tmp.path, 'lr.json'), JSON.stringify(lr.plan));
    writeFileSync(join(tmp.path, 'mlp.json'), JSON.stringify(mlp));
    expect(await ok('plan', 'register', join(tmp.path, 'lr.json'), '--by', 'alice')).toMatch(/is pending/);
    expect(await ok('plan', 'register', join(tmp.path, 'mlp.json'), '--by', 'alice')).toMatch(/is pending/);

    const shown = await ok('plan', 'show', lr.plan.sha256);
    expect(shown).toMatch(/status\s+pending/);
    expect(shown).toMatch(/Dense\s+31/);
    expect(shown).toMatch(/Total parameters: 31/);
    expect(shown).toMatch(/Optimiser: sgd\(learningRate=0.1\)/);
    expect(await ok('plan', 'show', lr.plan.sha256, '--json')).toBe(`${lr.plan.canonicalJson}\n`);

    expect(await ok('plan', 'approve', lr.plan.sha256.slice(0, 12), '--by', 'alice', '--notes', 'reviewed')).toMatch(/is approved/);
    expect(await ok('plan', 'reject', mlp.plan.sha256, '--by', 'bob', '--notes', 'too large')).toMatch(/is rejected/);
    const plans = JSON.parse(await ok('plan', 'list', '--json')) as Array<{ sha256: string; approval: Record<string, string> }>;
    expect(plans.map((p) => [p.sha256, p.approval['status'], p.approval['by']])).toEqual([
      [lr.plan.sha256, 'approved', 'alice'],
      [mlp.plan.sha256, 'rejected', 'bob'],
    ]);
    expect(await ok('plan', 'list', '--status', 'pending')).toMatch(/\(none\)/);

    const audit = JSON.parse(await ok('audit', 'list', '--json', '--plan', mlp.plan.sha256)) as Array<{ action: string; actor: string; detail: string }>;
    expect(audit.map((e) => `${e.action}/${e.actor}/${e.detail}`)).toEqual(['plan.reject/bob/too large', 'plan.submit/alice/']);
  });

  it('on a terminal, asks for a missing flag (util-linux `script` provides the pseudo-terminal)', async () => {
    const command = [process.execPath, CLI, 'node', '--path', dir, 'dataset', 'add', '--type', 'csv', '--path', bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'), '--options', JSON.stringify({ ...WDBC_CSV_OPTIONS, skipLines: 1 })]
      .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FEDBIOMED_LOG_LEVEL: 'warn' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdin.write('asked,on-a-tty\n');
    const [code] = (await once(child, 'exit')) as [number];
    expect(output).toContain('Tags (comma-separated):');
    expect(code).toBe(0);
    const listed = await datasets();
    expect(listed.some((d) => d.tags.join(',') === 'asked,on-a-tty')).toBe(true);
  });

  describe('bad input: a clear error, a non-zero exit, nothing written', () => {
    beforeAll(async () => {
      const node = openNode(dir);
      try {
        await node.datasets.add({ dataType: 'csv', path: writeWdbcSlices(tmp.path, 1)[0]!, tags: ['base', 'site'], options: WDBC_CSV_OPTIONS }, 'test');
      } finally {
        node.close();
      }
    });
    const corrupt = (name: string): string => {
      const folder = join(tmp.path, 'corrupt', name);
      mkdirSync(folder, { recursive: true });
      return folder;
    };
    const cases: Array<[string, () => string[], RegExp]> = [
      ['a path that does not exist', () => ['dataset', 'add', '--type', 'csv', '--path', join(tmp.path, 'nope.csv'), '--tags', 'x'], /does not exist/],
      [
        'an unknown dataset type: the error lists the adapters and the recipes',
        () => ['dataset', 'add', '--type', 'parquet', '--path', tmp.path, '--tags', 'x'],
        /unknown dataset type "parquet"; adapters: csv, images, medical-folder, mnist; recipes: heart-disease, mednist, pseudo-adni, wdbc/,
      ],
      [
        'CSV options without a label: the option named in words',
        () => ['dataset', 'add', '--type', 'csv', '--path', writeWdbcSlices(tmp.path, 1)[0]!, '--tags', 'nolabel', '--options', '{"header":false}'],
        /INVALID_OPTION: option "label" is missing \(expected the label column's name or index, or a list of them\)/
      ],
      [
        'a CSV with an empty cell under the default policy',
        () => ['dataset', 'add', '--type', 'csv', '--path', writeWdbcSample(join(tmp.path, 'gap-refused.csv'), 190, (rows) => (rows[56]![3] = '')), '--tags', 'gap-refused', '--options', '{"label":"target"}'],
        /1 of 190 rows have a missing value.*\(file .*gap-refused\.csv, row 58, column "f3"\)/,
      ],
      ['a missing flag without a terminal', () => ['dataset', 'add', '--type', 'csv', '--path', tmp.path], /missing --tags/],
      ['options that are not JSON', () => ['dataset', 'add', '--type', 'csv', '--path', tmp.path, '--tags', 'x', '--options', '{label'], /--options is not valid JSON/],
      ['an unknown flag', () => ['dataset', 'add', '--bogus'], /unknown option '--bogus'/],
      ['an unknown backend', () => ['start', '--backend', 'tpu'], /training\.backend: Invalid option/],
      ['a node certificate without its CA', () => ['init', '--cert', 'certs/node.pem', '--key', 'certs/node.key'], /--cert and --key need --ca-cert/],
      ['a recipe without its option', () => ['dataset', 'add', '--type', 'heart-disease', '--path', bundledDataset('heart_disease'), '--tags', 'h2'], /option "center" is missing/],
      [
        'a ragged CSV',
        () => {
          const file = join(corrupt('ragged'), 'ragged.csv');
          writeFileSync(file, '1,2,0\n3,4\n5,6,1\n');
          return ['dataset', 'add', '--type', 'csv', '--path', file, '--tags', 'ragged', '--options', '{"header":false,"label":2}'];
        },
        /row 2/,
      ],
      [
        'a truncated MNIST archive',
        () => {
          const folder = corrupt('mnist');
          const gz = readFileSync(bundledDataset('mnist', 't10k-labels-idx1-ubyte.gz'));
          writeFileSync(join(folder, 't10k-labels-idx1-ubyte.gz'), gz.subarray(0, gz.length / 2));
          writeFileSync(join(folder, 't10k-images-idx3-ubyte.gz'), readFileSync(bundledDataset('mnist', 't10k-images-idx3-ubyte.gz')));
          return ['dataset', 'add', '--type', 'mnist', '--path', folder, '--tags', 'broken-mnist'];
        },
        /t10k-labels-idx1-ubyte\.gz/,
      ],
      [
        'an image that is not an image',
        () => {
          const folder = corrupt('images');
          mkdirSync(join(folder, 'Hand'), { recursive: true });
          writeFileSync(join(folder, 'Hand', 'x.png'), 'not a png');
          return ['dataset', 'add', '--type', 'images', '--path', folder, '--tags', 'broken-images'];
        },
        /x\.png/,
      ],
      ['tags that clash with a registered dataset', () => ['dataset', 'add', '--type', 'csv', '--path', writeWdbcSlices(tmp.path, 1)[0]!, '--tags', 'base', '--options', JSON.stringify(WDBC_CSV_OPTIONS)], /conflict with dataset/],
      ['an unknown dataset id', () => ['dataset', 'show', 'dataset-nope'], /no dataset with id dataset-nope/],
      ['a plan file that does not exist', () => ['plan', 'register', join(tmp.path, 'nope.json')], /cannot read plan file/],
      [
        'a plan whose hash does not match',
        () => {
          const { plan } = logisticPlan(13, 'tampered');
          const file = join(tmp.path, 'tampered.json');
          writeFileSync(file, JSON.stringify({ ...plan, sha256: 'a'.repeat(64) }));
          return ['plan', 'register', file];
        },
        /announces sha256 a{64} but its JSON hashes to/,
      ],
      ['approving an unknown hash', () => ['plan', 'approve', 'f'.repeat(64)], /no plan with hash f{64}/],
    ];
    // The registry is read in-process (same SQLite file) to keep the suite fast.
    const registry = (): string => {
      const node = openNode(dir);
      try {
        return JSON.stringify([node.datasets.list(), node.plans.list()]);
      } finally {
        node.close();
      }
    };
    it.each(cases)('%s', async (_name, args, message) => {
      const before = registry();
      const run = await cli(...args());
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(registry()).toBe(before);
    });

    it('a folder that is not a node says how to create one; bad init options create nothing; init twice is refused', async () => {
      const empty = await runNodeCli(join(tmp.path, 'empty'), ['dataset', 'list']);
      expect(empty.code).not.toBe(0);
      expect(empty.stderr).toMatch(/fedbiomed node --path .*empty init/);
      const badInit = await runNodeCli(join(tmp.path, 'bad-init'), ['init', '--researcher', 'no-port-here']);
      expect(badInit.code).not.toBe(0);
      expect(badInit.stderr).toMatch(/researcher\.address: expected host:port/);
      expect(existsSync(join(tmp.path, 'bad-init'))).toBe(false);
      const again = await cli('init');
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already a node/);
    });

    it('a database file that is not SQLite is refused and left as it was', async () => {
      const other = join(tmp.path, 'not-sqlite');
      await runNodeCli(other, ['init']);
      writeFileSync(join(other, 'node.db'), 'PK\u0003\u0004 a zip, not a database');
      const run = await runNodeCli(other, ['dataset', 'list']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/node\.db is not a SQLite database/);
      expect(readFileSync(join(other, 'node.db'), 'latin1')).toBe('PK\u0003\u0004 a zip, not a database');
    });
  });
});
