/**
 * The malformed-input corpus: every case is generated in a temp folder and must fail with its own
 * error code and a message naming the file and the row, column or image at fault.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir, bundledDataset, type TempDir } from '@fedbiomed/test-utils';
import sharp from 'sharp';
import { loadCsv } from './adapters/csv-adapter';
import { streamCsvBatches } from './adapters/csv-stream';
import { loadImageFolder } from './adapters/image-folder-adapter';
import { loadMedicalFolder } from './adapters/medical-folder-adapter';
import { loadMnist } from './adapters/mnist-adapter';
import { DatasetError, type DatasetErrorCode } from './errors';
import { writeNifti } from './nifti.test.helpers';
import { openMedNistSample } from './recipes/mednist';
import { openHeartDisease } from './recipes/heart-disease';
import { createAdapterRegistry } from './registry';

let temp: TempDir;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.dispose());

const at = (name: string) => join(temp.path, name);
function write(name: string, content: string | Buffer): string {
  writeFileSync(at(name), content);
  return at(name);
}
async function png(name: string, width: number, height: number): Promise<void> {
  write(name, await sharp({ create: { width, height, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer());
}
function idx(magic: number, dims: number[], body: number): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.alloc(body)]);
}
async function drain(stream: AsyncGenerator<{ xs: { dispose(): void }; ys: { dispose(): void } }>): Promise<void> {
  for await (const batch of stream) {
    batch.xs.dispose();
    batch.ys.dispose();
  }
}
function medicalFolder(): void {
  for (const subject of ['s1', 's2']) mkdirSync(at(subject));
  write('demo.csv', 'id,age\ns1,60\ns2,70\n');
}

interface Case {
  readonly name: string;
  readonly code: DatasetErrorCode;
  /** Texts the message must contain (file name, row, column or image). */
  readonly mentions: readonly string[];
  readonly run: () => Promise<unknown>;
}

const cases: Case[] = [
  { name: 'unreadable CSV file', code: 'FILE_UNREADABLE', mentions: ['absent.csv'], run: () => loadCsv(at('absent.csv'), { label: 0 }) },
  {
    name: 'wrong delimiter',
    code: 'WRONG_DELIMITER',
    mentions: ['semi.csv', 'row 1', '";"'],
    run: async () => loadCsv(write('semi.csv', 'a;b;y\n1;2;0\n'), { label: 'y' }),
  },
  { name: 'ragged row, too many fields', code: 'RAGGED_ROW', mentions: ['long.csv', 'row 3'], run: async () => loadCsv(write('long.csv', 'a,y\n1,0\n2,1,9\n'), { label: 'y' }) },
  { name: 'ragged row, too few fields', code: 'RAGGED_ROW', mentions: ['short.csv', 'row 4'], run: async () => loadCsv(write('short.csv', 'a,b,y\n1,2,0\n3,4,1\n5,6\n'), { label: 'y' }) },
  {
    name: 'non-numeric value in a numeric column',
    code: 'NON_NUMERIC',
    mentions: ['word.csv', 'row 4', 'column "a"'],
    run: async () => loadCsv(write('word.csv', 'a,y\n1,0\n2,1\nabc,0\n4,1\n'), { label: 'y' }),
  },
  {
    name: 'text in a column declared numeric',
    code: 'NON_NUMERIC',
    mentions: ['declared.csv', 'row 2', 'column "s"'],
    run: async () => loadCsv(write('declared.csv', 's,y\nred,0\n'), { label: 'y', columnTypes: { s: 'number' } }),
  },
  { name: 'missing label column', code: 'MISSING_COLUMN', mentions: ['nolabel.csv', 'column "target"'], run: async () => loadCsv(write('nolabel.csv', 'a,y\n1,0\n'), { label: 'target' }) },
  { name: 'feature column index out of range', code: 'MISSING_COLUMN', mentions: ['range.csv', 'column 7'], run: async () => loadCsv(write('range.csv', 'a,y\n1,0\n'), { label: 'y', features: [7] }) },
  {
    name: 'column by name in a file without header',
    code: 'MISSING_COLUMN',
    mentions: ['nohead.csv', 'column "y"', 'no header'],
    run: async () => loadCsv(write('nohead.csv', '1,0\n'), { label: 'y', header: false }),
  },
  { name: 'unclosed quote', code: 'CSV_PARSE', mentions: ['quote.csv', 'row'], run: async () => loadCsv(write('quote.csv', 'a,y\n"1,0\n2,1\n'), { label: 'y' }) },
  {
    name: 'missing value with policy error',
    code: 'MISSING_VALUE',
    mentions: ['gap.csv', 'row 3', 'column "a"'],
    run: async () => loadCsv(write('gap.csv', 'a,y\n1,0\nNA,1\n'), { label: 'y', missing: 'refuse' }),
  },
  { name: 'empty file', code: 'EMPTY_DATASET', mentions: ['empty.csv'], run: async () => loadCsv(write('empty.csv', ''), { label: 0 }) },
  { name: 'header only', code: 'EMPTY_DATASET', mentions: ['header.csv'], run: async () => loadCsv(write('header.csv', 'a,y\n'), { label: 'y' }) },
  {
    name: 'non-numeric regression target',
    code: 'NON_NUMERIC',
    mentions: ['target.csv', 'row 3', 'column "y"'],
    run: async () => loadCsv(write('target.csv', 'a,y\n1,2.5\n2,high\n'), { label: 'y', task: 'regression' }),
  },
  {
    name: 'category outside the fixed list',
    code: 'NON_NUMERIC',
    mentions: ['cat.csv', 'row 3', 'column "c"'],
    run: async () => loadCsv(write('cat.csv', 'c,y\na,0\nz,1\n'), { label: 'y', categories: { c: ['a', 'b'] } }),
  },
  {
    name: 'streamed ragged row',
    code: 'RAGGED_ROW',
    mentions: ['stream.csv', 'row 4'],
    run: async () => drain(streamCsvBatches(write('stream.csv', 'a,y\n1,0\n2,1\n3\n'), { label: 'y', batchSize: 1 })),
  },
  { name: 'streamed unreadable file', code: 'FILE_UNREADABLE', mentions: ['gone.csv'], run: async () => drain(streamCsvBatches(at('gone.csv'), { label: 'y', batchSize: 1 })) },
  {
    name: 'images of mixed sizes',
    code: 'IMAGE_SIZE_MISMATCH',
    mentions: ['b.png', '9×8'],
    run: async () => {
      mkdirSync(at('cls'));
      await png('cls/a.png', 8, 8);
      await png('cls/b.png', 9, 8);
      return loadImageFolder(at(''));
    },
  },
  {
    name: 'undecodable image',
    code: 'IMAGE_DECODE',
    mentions: ['broken.png'],
    run: async () => {
      mkdirSync(at('cls'));
      write('cls/broken.png', 'not a png at all');
      return loadImageFolder(at(''));
    },
  },
  { name: 'image folder without class folders', code: 'EMPTY_DATASET', mentions: ['class sub-folder', 'file /'], run: async () => loadImageFolder(at('')) },
  {
    name: 'truncated gzip IDX',
    code: 'CORRUPT_ARCHIVE',
    mentions: ['t10k-images-idx3-ubyte.gz'],
    run: async () => {
      const bytes = readFileSync(bundledDataset('mnist', 't10k-images-idx3-ubyte.gz'));
      write('t10k-images-idx3-ubyte.gz', bytes.subarray(0, 5000));
      copyFileSync(bundledDataset('mnist', 't10k-labels-idx1-ubyte.gz'), at('t10k-labels-idx1-ubyte.gz'));
      return loadMnist(temp.path);
    },
  },
  {
    name: 'IDX with a wrong magic number',
    code: 'IDX_FORMAT',
    mentions: ['labels.idx', '0x00000801'],
    run: async () => {
      write('images.idx', idx(0x803, [2, 2, 2], 8));
      write('labels.idx', idx(0x803, [2], 2));
      return loadMnist(temp.path, { images: 'images.idx', labels: 'labels.idx' });
    },
  },
  {
    name: 'IDX body shorter than its header says',
    code: 'IDX_FORMAT',
    mentions: ['images.idx', 'needs 24'],
    run: async () => {
      write('images.idx', gzipSync(idx(0x803, [2, 2, 2], 7)));
      write('labels.idx', idx(0x801, [2], 2));
      return loadMnist(temp.path, { images: 'images.idx', labels: 'labels.idx' });
    },
  },
  {
    name: 'IDX image and label counts differ',
    code: 'INCONSISTENT',
    mentions: ['images.idx', 'labels.idx'],
    run: async () => {
      write('images.idx', idx(0x803, [2, 2, 2], 8));
      write('labels.idx', idx(0x801, [3], 3));
      return loadMnist(temp.path, { images: 'images.idx', labels: 'labels.idx' });
    },
  },
  {
    name: 'truncated NIfTI',
    code: 'NIFTI_FORMAT',
    mentions: ['T1.nii', 'truncated'],
    run: async () => {
      medicalFolder();
      for (const s of ['s1', 's2']) writeNifti(at(`${s}/T1.nii`), [4, 4, 4], new Array(64).fill(1));
      writeFileSync(at('s2/T1.nii'), readFileSync(at('s2/T1.nii')).subarray(0, 352 + 100));
      return loadMedicalFolder(temp.path, { modalities: ['T1'], demographics: { file: 'demo.csv' }, label: { column: 'age' } });
    },
  },
  {
    name: 'truncated gzipped NIfTI',
    code: 'CORRUPT_ARCHIVE',
    mentions: ['T1.nii.gz'],
    run: async () => {
      medicalFolder();
      for (const s of ['s1', 's2']) writeNifti(at(`${s}/T1.nii.gz`), [4, 4, 4], Array.from({ length: 64 }, (_, i) => i));
      writeFileSync(at('s1/T1.nii.gz'), readFileSync(at('s1/T1.nii.gz')).subarray(0, 40));
      return loadMedicalFolder(temp.path, { modalities: ['T1'], demographics: { file: 'demo.csv' }, label: { column: 'age' } });
    },
  },
  {
    name: 'file that is not NIfTI',
    code: 'NIFTI_FORMAT',
    mentions: ['T1.nii', 'not a NIfTI'],
    run: async () => {
      medicalFolder();
      for (const s of ['s1', 's2']) write(`${s}/T1.nii`, Buffer.alloc(400, 7));
      return loadMedicalFolder(temp.path, { modalities: ['T1'], demographics: { file: 'demo.csv' }, label: { column: 'age' } });
    },
  },
  {
    name: 'subject without a requested modality',
    code: 'INCONSISTENT',
    mentions: ['s2', '"T2"'],
    run: async () => {
      medicalFolder();
      for (const s of ['s1', 's2']) writeNifti(at(`${s}/T1.nii`), [2, 2, 1], [1, 2, 3, 4]);
      writeNifti(at('s1/T2.nii'), [2, 2, 1], [1, 2, 3, 4]);
      return loadMedicalFolder(temp.path, { modalities: ['T1', 'T2'], demographics: { file: 'demo.csv' }, label: { column: 'age' } });
    },
  },
  {
    name: 'volumes of different sizes',
    code: 'IMAGE_SIZE_MISMATCH',
    mentions: ['s2', 'T1.nii', '3×2×1'],
    run: async () => {
      medicalFolder();
      writeNifti(at('s1/T1.nii'), [2, 2, 1], [1, 2, 3, 4]);
      writeNifti(at('s2/T1.nii'), [3, 2, 1], [1, 2, 3, 4, 5, 6]);
      return loadMedicalFolder(temp.path, { modalities: ['T1'], demographics: { file: 'demo.csv' }, label: { column: 'age' } });
    },
  },
  {
    name: 'truncated tar.gz archive',
    code: 'CORRUPT_ARCHIVE',
    mentions: ['cut.tar.gz'],
    run: async () => {
      write('cut.tar.gz', readFileSync(bundledDataset('fedbiomed_mednist_test', 'MedNIST_test.tar.gz')).subarray(0, 6000));
      mkdirSync(at('out'));
      return openMedNistSample({ archive: at('cut.tar.gz'), extractTo: at('out') });
    },
  },
  {
    name: 'unknown dataset type',
    code: 'UNKNOWN_ADAPTER',
    mentions: ['"parquet"', 'data.parquet'],
    run: async () => createAdapterRegistry().open({ type: 'parquet', path: at('data.parquet'), options: {} }),
  },
  {
    name: 'stored spec with invalid options',
    code: 'INVALID_OPTION',
    mentions: ['spec.csv', 'label', 'delimeter'],
    run: async () => createAdapterRegistry().open({ type: 'csv', path: write('spec.csv', 'a,y\n1,0\n'), options: { delimeter: ';' } }),
  },
  {
    name: 'image size that cannot be resized to',
    code: 'INVALID_OPTION',
    mentions: ['size'],
    run: async () => createAdapterRegistry().open({ type: 'images', path: temp.path, options: { size: [0, 64] } }),
  },
  {
    name: 'heart-disease center out of range',
    code: 'INVALID_OPTION',
    mentions: ['center must be 0, 1, 2 or 3'],
    run: async () => openHeartDisease({ dir: temp.path, center: 7 as 0 }),
  },
];

describe('malformed input corpus', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const error = await c.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).code).toBe(c.code);
    for (const text of c.mentions) expect((error as DatasetError).message).toContain(text);
  });
});
