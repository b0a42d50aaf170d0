import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import {
  createAdapterRegistry,
  HEART_DISEASE_CENTERS,
  openBreastCancer,
  openHeartDisease,
  openMedNistSample,
  openPseudoAdni,
  parseOptions,
  summarizeSplit,
  type Dataset,
  type MissingValueReport,
  type TrainTestSplit,
} from '@fedbiomed/datasets';
import { NodeError } from './errors';
import type { DatasetSource, InspectedDataset } from './dataset-registry';

/**
 * A dataset opened for a task, with the split its source fixes (a CSV split column or file, FLamby's
 * for heart disease), if any.
 */
export interface OpenedDataset {
  readonly dataset: Dataset;
  readonly split?: TrainTestSplit;
  /** What the missing-value policy did, where the source is tabular and its recipe drops or imputes. */
  readonly missingValues?: MissingValueReport;
}

type Recipe = (path: string, options: unknown) => Promise<OpenedDataset>;

const heartDiseaseOptions = z.strictObject({
  center: z.union([z.number().int().min(0).max(3), z.enum(HEART_DISEASE_CENTERS)]),
  normalize: z.boolean().optional(),
});
const noOptions = z.strictObject({});
const medNistOptions = z.strictObject({ extractTo: z.string().min(1) });

/**
 * Recipes for the reference datasets, by the name given to `dataset add --type`. `path` is the
 * dataset's folder (a file inside it also works). Options are checked like an adapter's.
 */
const RECIPES: Readonly<Record<string, Recipe>> = {
  'heart-disease': async (path, options) => {
    const { center, normalize } = parseOptions(heartDiseaseOptions, options, path);
    const index = typeof center === 'number' ? center : HEART_DISEASE_CENTERS.indexOf(center);
    const opened = await openHeartDisease({ dir: folderOf(path), center: index as 0 | 1 | 2 | 3, ...(normalize !== undefined && { normalize }) });
    return { dataset: opened.dataset, split: opened.split, missingValues: opened.missingValues };
  },
  wdbc: async (path, options) => {
    parseOptions(noOptions, options, path);
    return { dataset: await openBreastCancer({ dir: folderOf(path) }) };
  },
  'pseudo-adni': async (path, options) => {
    parseOptions(noOptions, options, path);
    return { dataset: await openPseudoAdni({ dir: folderOf(path) }) };
  },
  mednist: async (path, options) => {
    const { extractTo } = parseOptions(medNistOptions, options, path);
    return { dataset: await openMedNistSample({ archive: path, extractTo }) };
  },
};

/** Dataset types `dataset add` accepts: the adapters' kinds and the recipes. */
export function datasetTypes(): string[] {
  return [...createAdapterRegistry().kinds(), ...Object.keys(RECIPES)].sort();
}

/** Validates a dataset through `@fedbiomed/datasets` (adapter or recipe) and returns what it found. */
export async function inspectDataset(source: DatasetSource): Promise<InspectedDataset> {
  const recipe = recipeOf(source);
  if (recipe) {
    const opened = await recipe(source.path, source.options);
    const metadata = opened.split === undefined ? opened.dataset.metadata : { ...opened.dataset.metadata, fixedSplit: summarizeSplit(opened.split) };
    return { metadata, ...(opened.missingValues !== undefined && { missingValues: opened.missingValues }) };
  }
  const report = await createAdapterRegistry().validate(toSpec(source));
  return { metadata: report.metadata, ...(report.missingValues !== undefined && { missingValues: report.missingValues }) };
}

/** Opens a registered dataset for training or evaluation. */
export async function openRegisteredDataset(source: DatasetSource): Promise<OpenedDataset> {
  const recipe = recipeOf(source);
  if (recipe) return recipe(source.path, source.options);
  const dataset = await createAdapterRegistry().open(toSpec(source));
  return { dataset, ...(dataset.split !== undefined && { split: dataset.split }) };
}

/** The recipe of `source.dataType`; undefined for an adapter kind; an unknown type is an error listing both. */
function recipeOf(source: DatasetSource): Recipe | undefined {
  const recipe = RECIPES[source.dataType];
  const adapters = createAdapterRegistry().kinds();
  if (recipe !== undefined || adapters.includes(source.dataType)) return recipe;
  throw new NodeError(
    'INVALID_ARGUMENT',
    `unknown dataset type ${JSON.stringify(source.dataType)}; adapters: ${adapters.join(', ')}; recipes: ${Object.keys(RECIPES).sort().join(', ')}`,
  );
}

function toSpec(source: DatasetSource): { type: string; path: string; options: unknown } {
  return { type: source.dataType, path: source.path, options: source.options };
}

function folderOf(path: string): string {
  return statSync(path).isDirectory() ? path : dirname(path);
}
