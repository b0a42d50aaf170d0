import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { previewDataset } from './dataset-preview';

// The preview over real files, next to the node's own validation of them (`inspectDataset`).
/** A 1×1 grey PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==', 'base64');

let dir: TempDir;
beforeEach(() => (dir = makeTempDir('fedbiomed-gui-preview-')));
afterEach(() => dir.dispose());

test('a CSV shows its first rows, column types, missing values per column and label balance', async () => {
  const rows = ['age,sex,site,outcome', '61,M,lyon,1', '54,F,NA,0', ',F,nice,1', '70,M,lyon,1', ...Array.from({ length: 12 }, (_, i) => `${40 + i},F,paris,${i % 2}`)];
  const path = dir.write('cohort.csv', `${rows.join('\n')}\n`);
  const preview = await previewDataset({ dataType: 'csv', path, options: { label: 'outcome', missing: 'drop' } });
  expect(preview.kind).toBe('table');
  expect(preview.rowCount).toBe(16);
  expect(preview.rows).toHaveLength(10);
  expect(preview.rows[0]).toEqual(['61', 'M', 'lyon', '1']);
  expect(preview.columns).toEqual([
    { name: 'age', type: 'number', missing: 1, isLabel: false },
    { name: 'sex', type: 'text', missing: 0, isLabel: false },
    { name: 'site', type: 'text', missing: 1, isLabel: false },
    { name: 'outcome', type: 'number', missing: 0, isLabel: true },
  ]);
  expect(preview.labelBalance).toEqual([
    { label: '1', count: 9 },
    { label: '0', count: 7 },
  ]);
  expect(preview.validation).toEqual({ ok: true, lines: expect.arrayContaining([expect.stringMatching(/^14 samples/), expect.stringMatching(/2 rows? dropped|dropped 2/i)]) });
});

test('data the node would refuse is previewed with the reason, naming the column', async () => {
  const path = dir.write('gaps.csv', 'a,b,label\n1,2,0\n3,,1\n');
  const preview = await previewDataset({ dataType: 'csv', path, options: { label: 'label' } });
  expect(preview.columns.map((c) => c.missing)).toEqual([0, 1, 0]);
  expect(preview.validation.ok).toBe(false);
  expect(preview.validation.ok === false && preview.validation.error).toMatch(/gaps\.csv.*b/);
});

test('a folder of class sub-folders shows files per class and the first files', async () => {
  for (const [label, count] of [['benign', 3], ['malignant', 1]] as const) {
    mkdirSync(join(dir.path, 'images', label), { recursive: true });
    for (let i = 0; i < count; i++) writeFileSync(join(dir.path, 'images', label, `${i}.png`), PNG);
  }
  const preview = await previewDataset({ dataType: 'images', path: join(dir.path, 'images'), options: {} });
  expect(preview.kind).toBe('folder');
  expect(preview.rowCount).toBe(4);
  expect(preview.labelBalance).toEqual([
    { label: 'benign', count: 3 },
    { label: 'malignant', count: 1 },
  ]);
  expect(preview.rows).toEqual([
    ['benign', '0.png'],
    ['benign', '1.png'],
    ['malignant', '0.png'],
  ]);
  expect(preview.images.map((image) => `${image.label}/${image.file}`)).toEqual(['benign/0.png', 'benign/1.png', 'malignant/0.png']);
  expect(preview.images[0]!.dataUrl).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
  expect(preview.validation).toEqual({ ok: true, lines: ['4 samples, features of shape [1, 1, 1] (float32)', 'labels: 2 classes'] });
});

test('a path that does not exist is reported, not thrown', async () => {
  const preview = await previewDataset({ dataType: 'csv', path: join(dir.path, 'missing.csv'), options: {} });
  expect(preview.validation.ok).toBe(false);
  expect(preview.validation.ok === false && preview.validation.error).toContain('missing.csv');
});
