/**
 * `@fedbiomed/datasets`: biomedical data in, tfjs batches out. Adapters (CSV/TSV, image folders,
 * MNIST IDX, BIDS-like medical folders), recipes for the reference datasets, fixed train/test
 * splits, training-only standardisation and partitioners for simulations.
 * @packageDocumentation
 */

// ---- Dataset contract and batching ----
export type { Batch, BatchOptions, Dataset, DatasetDtypes, DatasetMetadata } from './dataset';
export { ArrayDataset, classIds, subsetDataset, withMetadata } from './array-dataset';
export type { ArrayDatasetInit } from './array-dataset';
export { forEachBatch } from './batching';

// ---- Seeded randomness, splits and standardisation ----
export { createRandom, shuffled } from './random';
export type { Random } from './random';
export { checkSplit, describeFixedSplit, fixedSplitOf, splitTrainTest, summarizeSplit } from './split';
export type { FixedSplitSummary, SplitAssignment, SplitOptions, TrainTestSplit } from './split';
export { describeTarget, targetOf } from './target';
export type { DatasetTarget, TargetKind } from './target';
export { featureMoments, fitStandardization, standardize } from './standardization';
export type { FeatureMoments, FitStandardizationOptions, Standardization } from './standardization';

// ---- Partitioners for simulations ----
export { histogramsOf, partitionDataset } from './partition/partitioners';
export type { Partition, PartitionScheme } from './partition/partitioners';

// ---- Adapters and their registry ----
export type { DatasetAdapter, DatasetSpec, ValidationReport } from './adapter';
export { AdapterRegistry, createAdapterRegistry, openDataset } from './registry';
export { parseOptions } from './adapters/option-schemas';
export { csvAdapter, loadCsv } from './adapters/csv-adapter';
export type { CsvLoadResult, CsvOptions } from './adapters/csv-adapter';
export { DEFAULT_MISSING_TOKENS, describeMissingValues } from './adapters/missing-values';
export type { MissingLabelPolicy, MissingPolicy, MissingValueReport } from './adapters/missing-values';
export type { ColumnRef, ColumnType } from './adapters/csv-columns';
export type { SurvivalColumns } from './adapters/csv-labels';
export type { CsvSplitOption } from './adapters/csv-split';
export type { CsvLayout } from './adapters/csv-table';
export { streamCsvBatches } from './adapters/csv-stream';
export type { CsvStreamOptions } from './adapters/csv-stream';
export { imageFolderAdapter, loadImageFolder } from './adapters/image-folder-adapter';
export type { ImageFolderOptions } from './adapters/image-folder-adapter';
export { loadMnist, mnistAdapter } from './adapters/mnist-adapter';
export type { MnistOptions } from './adapters/mnist-adapter';
export { loadMedicalFolder, medicalFolderAdapter } from './adapters/medical-folder-adapter';
export type { MedicalFolderOptions, MedicalFolderResult } from './adapters/medical-folder-adapter';

// ---- Recipes for the reference datasets ----
export { openBreastCancer } from './recipes/breast-cancer';
export { openMedNistSample } from './recipes/mednist';
export type { MedNistSampleOptions } from './recipes/mednist';
export { openMnistTest, openMnistTrain } from './recipes/mnist';
export { HEART_DISEASE_CENTERS, openHeartDisease } from './recipes/heart-disease';
export type { HeartDiseaseCenter, HeartDiseaseOptions } from './recipes/heart-disease';
export { openPseudoAdni, PSEUDO_ADNI_FEATURES } from './recipes/pseudo-adni';

// ---- Errors ----
export { DatasetError, DatasetErrorCode } from './errors';
export type { DatasetErrorLocation } from './errors';
export { describeZodIssues } from './zod-issues';
export type { DescribeIssuesOptions } from './zod-issues';
