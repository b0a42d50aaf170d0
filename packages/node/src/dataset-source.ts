import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createAdapterRegistry,
  HEART_DISEASE_CENTERS,
  openBreastCancer,
  openHeartDisease,
  openMedNistSample,
  openPseudoAdni,
  type Dataset,
  type DatasetMetadata,
  type TrainTestSplit,
} from '@fedbiomed/datasets';
import { NodeError } from './errors';
import type { DatasetSource } from './dataset-registry';

/** A dataset opened for a task, with the split its recipe fixes (FLamby's for heart disease), if any. */
export interface OpenedDataset {
  readonly dataset: Dataset;
  readonly split?: TrainTestSplit;
}

type Recipe = (path: string, options: Readonly<Record<string, unknown>>) => Promise<OpenedDataset>;

/**
 * Recipes for the reference datasets, by the name given to `dataset add --type`. `path` is the
 * dataset's folder (a file inside it also works).
 */
const RECIPES: Readonly<Record<string, Recipe>> = {
  'heart-disease': async (path, options) => {
    const center = heartDiseaseCenter(options['center']);
    const opened = await openHeartDisease({
      dir: folderOf(path),
      center,
      ...(typeof options['normalize'] === 'boolean' && { normalize: options['normalize'] }),
    });
    return { dataset: opened.dataset, split: opened.split };
  },
  wdbc: async (path) => ({ dataset: await openBreastCancer({ dir: folderOf(path) }) }),
  'pseudo-adni': async (path) => ({ dataset: await openPseudoAdni({ dir: folderOf(path) }) }),
  mednist: async (path, options) => {
    const extractTo = options['extractTo'];
    if (typeof extractTo !== 'string') {
      throw new NodeError('INVALID_ARGUMENT', 'the mednist recipe needs --options \'{"extractTo": "<folder the archive is extracted into>"}\'');
    }
    return { dataset: await openMedNistSample({ archive: path, extractTo }) };
  },
};

/** Dataset types `dataset add` accepts: the adapters' kinds and the recipes. */
export function datasetTypes(): string[] {
  return [...createAdapterRegistry().kinds(), ...Object.keys(RECIPES)].sort();
}

/** Validates a dataset through `@fedbiomed/datasets` (adapter or recipe) and returns its metadata. */
export async function inspectDataset(source: DatasetSource): Promise<DatasetMetadata> {
  const recipe = RECIPES[source.dataType];
  if (recipe) return (await recipe(source.path, source.options)).dataset.metadata;
  const report = await createAdapterRegistry().validate(toSpec(source));
  return report.metadata;
}

/** Opens a registered dataset for training or evaluation. */
export async function openRegisteredDataset(source: DatasetSource): Promise<OpenedDataset> {
  const recipe = RECIPES[source.dataType];
  if (recipe) return recipe(source.path, source.options);
  return { dataset: await createAdapterRegistry().open(toSpec(source)) };
}

function toSpec(source: DatasetSource): { type: string; path: string; options: unknown } {
  return { type: source.dataType, path: source.path, options: source.options };
}

function folderOf(path: string): string {
  return statSync(path).isDirectory() ? path : dirname(path);
}

function heartDiseaseCenter(value: unknown): 0 | 1 | 2 | 3 {
  const index = typeof value === 'string' ? (HEART_DISEASE_CENTERS as readonly string[]).indexOf(value) : value;
  if (index === 0 || index === 1 || index === 2 || index === 3) return index;
  throw new NodeError(
    'INVALID_ARGUMENT',
    `the heart-disease recipe needs --options '{"center": N}' with N in 0-3 or one of ${HEART_DISEASE_CENTERS.join(', ')}; got ${JSON.stringify(value)}`,
  );
}
