import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { DatasetError } from '../errors';
import { writeNifti } from '../nifti.test.helpers';
import { createAdapterRegistry } from '../registry';
import { targetOf } from '../target';
import { loadCsv } from './csv-adapter';

let temp: TempDir;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.dispose());

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

describe('CSV label targets', () => {
  it('takes several label columns as values per sample', async () => {
    const path = temp.write('multi.csv', 'age,time,event,bmi\n61,12.5,1,27\n54,30,0,22\n70,4,1,31\n');
    const { dataset } = await loadCsv(path, { label: ['time', 'event'] });
    expect(dataset.metadata).toMatchObject({ labelShape: [2], numClasses: 0, featureNames: ['age', 'bmi'], target: { kind: 'values', shape: [2], columns: ['time', 'event'] } });
    expect(Array.from(dataset.label(0))).toEqual([12.5, 1]);
    expect(Array.from(dataset.features(2))).toEqual([70, 31]);
  });

  it('reads a survival target as [time, event] rows and keeps the missing-value policy over both columns', async () => {
    const path = temp.write('surv.csv', 'age,time,event\n61,12.5,1\n54,NA,0\n70,4,1\n48,7,?\n');
    const refused = await failure(loadCsv(path, { survival: { time: 'time', event: 'event' } }));
    expect(refused.message).toContain('row 3, column "time"');
    const { dataset, missingValues } = await loadCsv(path, { survival: { time: 'time', event: 'event' }, missing: 'drop' });
    expect(missingValues.droppedRows).toBe(2);
    expect(dataset.metadata).toMatchObject({ labelShape: [2], target: { kind: 'survival', shape: [2], columns: ['time', 'event'] }, dtypes: { labels: 'float32' } });
    expect(Array.from(dataset.label(1))).toEqual([4, 1]);
    expect(targetOf(dataset.metadata).kind).toBe('survival');
  });

  it('refuses a negative time, naming the row and column', async () => {
    const path = temp.write('negative.csv', 'age,time,event\n61,12.5,1\n54,-3,0\n');
    const error = await failure(loadCsv(path, { survival: { time: 'time', event: 'event' } }));
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toBe(`INVALID_VALUE: survival time -3 is negative; times count from the start of follow-up (file ${path}, row 3, column "time")`);
  });

  it('refuses an event code other than 0 or 1', async () => {
    const path = temp.write('code.csv', 'age,time,event\n61,12.5,1\n54,3,2\n');
    const error = await failure(createAdapterRegistry().validate({ type: 'csv', path, options: { survival: { time: 'time', event: 'event' } } }));
    expect(error.message).toBe(`INVALID_VALUE: event code 2 is not 1 (event observed) or 0 (censored) (file ${path}, row 3, column "event")`);
  });

  it('refuses a label and a survival target together, and a classification task over several columns', async () => {
    const path = temp.write('both.csv', 'a,time,event\n1,2,1\n');
    expect((await failure(loadCsv(path, { label: 'a', survival: { time: 'time', event: 'event' } }))).message).toContain('not both');
    expect((await failure(loadCsv(path, { label: ['time', 'event'], task: 'classification' }))).message).toContain('task "classification" takes one label column');
  });
});

describe('fixed splits a CSV file carries', () => {
  it('uses a split column as is and leaves it out of the features', async () => {
    const path = temp.write('col.csv', 'x,y,part\n1,0,train\n2,1,test\n3,0,train\n4,1,train\n5,0,test\n');
    const dataset = await createAdapterRegistry().open({ type: 'csv', path, options: { label: 'y', split: { column: 'part' } } });
    expect(dataset.split).toMatchObject({ train: [0, 2, 3], test: [1, 4], size: 5, fixed: 'column "part"' });
    expect(dataset.metadata.featureNames).toEqual(['x']);
    expect(dataset.metadata.fixedSplit).toEqual({ source: 'column "part"', train: 3, test: 2 });
  });

  it('maps a split file by id onto the rows kept, with custom part names', async () => {
    const path = temp.write('data.csv', 'id,x,y\np1,1,0\np2,?,1\np3,3,0\np4,4,1\n');
    temp.write('split.csv', 'id,set\np4,holdout\np3,fit\np2,fit\np1,holdout\n');
    const { dataset } = await loadCsv(path, { label: 'y', missing: 'drop', split: { file: 'split.csv', idColumn: 'id', splitColumn: 'set', train: 'fit', test: 'holdout' } });
    expect(dataset.metadata.featureNames).toEqual(['x']);
    expect(dataset.split).toMatchObject({ train: [1], test: [0, 2], size: 3, fixed: 'file split.csv' });
  });

  it('names the row of an unknown part or an id without one', async () => {
    const bad = temp.write('bad.csv', 'x,y,part\n1,0,train\n2,1,valid\n');
    expect((await failure(loadCsv(bad, { label: 'y', split: { column: 'part' } }))).message).toBe(
      `INVALID_VALUE: split value "valid" is neither "train" (train) nor "test" (test) (file ${bad}, row 3, column "part")`,
    );
    const data = temp.write('ids.csv', 'id,x,y\na,1,0\nb,2,1\n');
    temp.write('ids-split.csv', 'id,split\na,train\n');
    expect((await failure(loadCsv(data, { label: 'y', split: { file: 'ids-split.csv', idColumn: 'id' } }))).message).toContain('id "b" has no part in the split file');
  });
});

describe('image masks as segmentation targets', () => {
  async function png(path: string, width: number, height: number, value: (x: number, y: number) => number): Promise<void> {
    const pixels = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = value(x, y);
    await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toFile(path);
  }

  it('loads a mask folder beside the image folder as [height, width, 1] 0/1 labels', async () => {
    const images = join(temp.path, 'images');
    const masks = join(temp.path, 'masks');
    mkdirSync(images);
    mkdirSync(masks);
    for (const [i, name] of ['a.png', 'b.png', 'c.png'].entries()) {
      await png(join(images, name), 6, 4, (x, y) => 40 * i + x + y);
      await png(join(masks, name), 6, 4, (x) => (x <= i ? 255 : 0));
    }
    const registry = createAdapterRegistry();
    const dataset = await registry.open({ type: 'images', path: images, options: { masks: 'masks' } });
    expect(dataset.metadata).toMatchObject({ featureShape: [4, 6, 1], labelShape: [4, 6, 1], numClasses: 0, target: { kind: 'mask', shape: [4, 6, 1] } });
    expect(dataset.size).toBe(3);
    // Sample 1 (b.png): columns 0 and 1 of every row are foreground.
    expect(Array.from(dataset.label(1).subarray(0, 6))).toEqual([1, 1, 0, 0, 0, 0]);
    expect(dataset.features(2)[0]).toBeCloseTo(80 / 255, 6);

    await png(join(images, 'd.png'), 6, 4, () => 0);
    const missing = await failure(registry.open({ type: 'images', path: images, options: { masks: 'masks' } }));
    expect(missing.message).toContain(`no mask ${join(masks, 'd.png')} for this image`);
    await png(join(masks, 'd.png'), 5, 4, () => 0);
    expect((await failure(registry.open({ type: 'images', path: images, options: { masks: 'masks' } }))).code).toBe('IMAGE_SIZE_MISMATCH');
  });
});

describe('medical-folder masks as segmentation targets', () => {
  // 2-D slices 5 voxels along x by 3 along y: not square, so a scrambled layout cannot pass for a transpose.
  const [NX, NY] = [5, 3];
  const intensity = (s: number, x: number, y: number) => 100 * s + 10 * x + y;
  const inMask = (s: number, x: number, y: number) => (x > s && y < 2 ? 1 : 0);
  /** NIfTI stores x fastest. */
  const volume = (value: (x: number, y: number) => number) => Array.from({ length: NX * NY }, (_, i) => value(i % NX, Math.floor(i / NX)));

  function writeFolder(maskValue: (s: number, x: number, y: number) => number = inMask): void {
    for (let s = 0; s < 3; s++) {
      mkdirSync(join(temp.path, `sub-${s}`, 'seg'), { recursive: true });
      writeNifti(join(temp.path, `sub-${s}`, 'flair.nii.gz'), [NX, NY], volume((x, y) => intensity(s, x, y)));
      writeNifti(join(temp.path, `sub-${s}`, 'seg', 'lesions.nii'), [NX, NY], volume((x, y) => maskValue(s, x, y)), 2);
    }
    temp.write('participants.csv', 'id,age\nsub-0,61\nsub-1,70\nsub-2,55\n');
  }
  const spec = (label: string) => ({ type: 'medical-folder', path: temp.path, options: { modalities: ['flair'], demographics: { file: 'participants.csv' }, label: { modality: label } } });

  it('pairs each subject\'s slice with its mask voxel for voxel, as [x, y, 1] tensors of kind mask', async () => {
    writeFolder();
    const dataset = await createAdapterRegistry().open(spec('seg'));
    expect(dataset.size).toBe(3);
    expect(dataset.metadata).toMatchObject({ featureShape: [NX, NY, 1], labelShape: [NX, NY, 1], numClasses: 0, dtypes: { labels: 'float32' }, target: { kind: 'mask', shape: [NX, NY, 1] } });
    for (let s = 0; s < 3; s++) {
      const [features, mask] = [dataset.features(s), dataset.label(s)];
      for (let x = 0; x < NX; x++) {
        for (let y = 0; y < NY; y++) {
          expect([features[x * NY + y], mask[x * NY + y]]).toEqual([intensity(s, x, y), inMask(s, x, y)]);
        }
      }
    }
  });

  it('reports a voxel-wise target with values other than 0 and 1 as values, not as a mask', async () => {
    writeFolder((s, x) => (x === 0 ? 2 : inMask(s, x, 0)));
    const labelMap = await createAdapterRegistry().open(spec('seg'));
    expect(labelMap.metadata.target).toEqual({ kind: 'values', shape: [NX, NY, 1] });
    const intensities = await createAdapterRegistry().open(spec('flair'));
    expect(intensities.metadata.target).toEqual({ kind: 'values', shape: [NX, NY, 1] });
  });
});
