import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, bundledDataset } from '@fedbiomed/test-utils';
import sharp from 'sharp';
import { classIds } from '../array-dataset';
import { writeNifti } from '../nifti.test.helpers';
import { openMedNistSample } from '../recipes/mednist';
import { openMnistTest } from '../recipes/mnist';
import { createAdapterRegistry } from '../registry';
import { loadImageFolder } from './image-folder-adapter';
import { loadMedicalFolder } from './medical-folder-adapter';

describe('MNIST IDX', () => {
  it('reads 10,000 28×28 test images whose first label is 7, with the canonical class counts', async () => {
    const dataset = await openMnistTest({ dir: bundledDataset('mnist') });
    expect(dataset.size).toBe(10_000);
    expect(dataset.metadata).toMatchObject({ featureShape: [28, 28, 1], numClasses: 10, dataType: 'mnist' });
    expect(dataset.label(0)[0]).toBe(7);
    const histogram = new Array<number>(10).fill(0);
    classIds(dataset).forEach((id) => (histogram[id] = (histogram[id] ?? 0) + 1));
    expect(histogram).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const pixels = Array.from(dataset.features(0));
    expect(Math.max(...pixels)).toBe(1);
    expect(Math.min(...pixels)).toBe(0);
  });
});

describe('image folders', () => {
  it('extracts the MedNIST sample into a temp folder: 12 images of 64×64 in 6 classes', async () => {
    const temp = makeTempDir();
    try {
      const dataset = await openMedNistSample({ archive: bundledDataset('fedbiomed_mednist_test', 'MedNIST_test.tar.gz'), extractTo: temp.path });
      expect(dataset.size).toBe(12);
      expect(dataset.metadata).toMatchObject({ featureShape: [64, 64, 1], numClasses: 6, classNames: ['AbdomenCT', 'BreastMRI', 'CXR', 'ChestCT', 'Hand', 'HeadCT'] });
      expect(Array.from(classIds(dataset))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
      const pixels = Array.from(dataset.features(3));
      expect(Math.max(...pixels)).toBeLessThanOrEqual(1);
      expect(pixels.some((p) => p > 0 && p < 1)).toBe(true);
    } finally {
      temp.dispose();
    }
  });

  it('resizes PNGs of mixed sizes and converts to RGB when asked', async () => {
    const temp = makeTempDir();
    try {
      for (const [cls, width] of [['a', 8], ['b', 12]] as const) {
        mkdirSync(join(temp.path, cls));
        const red = await sharp({ create: { width, height: 6, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
        writeFileSync(join(temp.path, cls, 'x.png'), red);
      }
      const dataset = await loadImageFolder(temp.path, { color: 'rgb', size: [4, 5] });
      expect(dataset.metadata.featureShape).toEqual([4, 5, 3]);
      expect(Array.from(dataset.features(1).slice(0, 3))).toEqual([1, 0, 0]);
      const gray = await createAdapterRegistry().open({ type: 'images', path: temp.path, options: { size: [4, 4] } });
      expect(gray.metadata.featureShape).toEqual([4, 4, 1]);
    } finally {
      temp.dispose();
    }
  });
});

describe('medical folders', () => {
  it('stacks the chosen modalities as channels and takes labels and covariates from the demographics CSV', async () => {
    const temp = makeTempDir();
    try {
      const subjects = ['sub-01', 'sub-02', 'sub-03'];
      subjects.forEach((subject, s) => {
        mkdirSync(join(temp.path, subject, 'T2'), { recursive: true });
        writeNifti(join(temp.path, subject, 'T1.nii.gz'), [2, 3, 2], Array.from({ length: 12 }, (_, i) => s * 100 + i));
        writeNifti(join(temp.path, subject, 'T2', 'scan.nii'), [2, 3, 2], Array.from({ length: 12 }, () => s + 1), 2);
      });
      writeFileSync(join(temp.path, 'participants.csv'), 'id,age,diagnosis\nsub-01,70,AD\nsub-02,65.5,CN\nsub-03,80,AD\nsub-99,50,CN\n');
      const result = await loadMedicalFolder(temp.path, {
        modalities: ['T1', 'T2'],
        demographics: { file: 'participants.csv', subjectColumn: 'id', columns: ['age'] },
        label: { column: 'diagnosis' },
      });
      const { dataset } = result;
      expect(result.subjects).toEqual(subjects);
      expect(dataset.metadata).toMatchObject({ featureShape: [2, 3, 2, 2], numClasses: 2, classNames: ['AD', 'CN'], dataType: 'medical-folder' });
      expect(Array.from(classIds(dataset))).toEqual([0, 1, 0]);
      // Channels last, voxels row-major over [x, y, z]: position 5 is voxel (0, 2, 1), stored at
      // 0 + 2·2 + 1·6 = 10 in the file (x fastest), so subject 2 has (T1 = 210, T2 = 3) there.
      expect(Array.from(dataset.features(2).slice(10, 12))).toEqual([210, 3]);
      expect(dataset.features(1)[11 * 2]).toBe(111);
      expect(result.covariateNames).toEqual(['age']);
      expect(Array.from(result.covariates[1] ?? [])).toEqual([65.5]);

      const segmentation = await loadMedicalFolder(temp.path, { modalities: ['T2'], demographics: { file: 'participants.csv' }, label: { modality: 'T1' } });
      expect(segmentation.dataset.metadata.labelShape).toEqual([2, 3, 2, 1]);
      expect(segmentation.dataset.label(0)[11]).toBe(11);
    } finally {
      temp.dispose();
    }
  });
});
