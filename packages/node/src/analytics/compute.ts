/**
 * The exact statistics of an approved analytics query on one dataset, before the node's policy
 * decides what it releases: counts, mergeable moments (count, mean, M2, co-moments), bin and class
 * counts, missing values, extremes. Nothing here leaves the node as is.
 */
import { featureMoments, type Dataset, type MissingValueReport } from '@fedbiomed/datasets';
import type { AnalyticsQuery, FeatureRef, StatisticRequest } from '@fedbiomed/training';
import { NodeError } from '../errors';

/** A statistic's exact value, in the shape the reply carries it. */
export type ExactValue =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'moments'; readonly count: number; readonly mean: readonly number[]; readonly m2: readonly number[] }
  | { readonly kind: 'comoments'; readonly count: number; readonly mean: readonly number[]; readonly comoment: readonly number[] }
  | { readonly kind: 'bins'; readonly counts: readonly number[] }
  | {
      readonly kind: 'missing';
      readonly missing: readonly number[];
      readonly rows: number;
      readonly sourceRows: number;
      readonly droppedRows: number;
      readonly imputedCells: number;
    }
  | { readonly kind: 'extremes'; readonly values: readonly number[] };

/** A count the reply would release, named for a refusal (`bin [30, 40) of age`). */
export interface ReleasedCell {
  readonly label: string;
  readonly count: number;
}

/** One statistic of the query computed on the node's rows. */
export interface ExactStatistic {
  readonly request: StatisticRequest;
  /** `statistic #2 (histogram of age)`, for messages. */
  readonly label: string;
  /** Flattened feature positions it reads. */
  readonly features: readonly number[];
  /** Rows it was computed on: the query's rows with a finite value in each of its features. */
  readonly rows: readonly number[];
  readonly value: ExactValue;
  /** Every count it releases; the minimum cell count applies to each. */
  readonly cells: readonly ReleasedCell[];
}

/** What the statistics are computed on. */
export interface AnalyticsInput {
  readonly dataset: Dataset;
  /** The query's rows (all, or the train rows of the dataset's own split). */
  readonly rows: readonly number[];
  /** What the missing-value policy did at registration, where the source is tabular. */
  readonly missingValues?: MissingValueReport;
}

/** Names of the dataset's flattened features: its own, or `#<position>`. */
export function featureNames(dataset: Dataset): string[] {
  const width = dataset.metadata.featureShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: width }, (_, j) => dataset.metadata.featureNames?.[j] ?? `#${j}`);
}

/**
 * Computes every statistic of `query` exactly. Throws a {@link NodeError} (`MALFORMED_REQUEST`)
 * for a feature the dataset does not have, or label counts of a dataset without classes.
 */
export function computeStatistics(query: AnalyticsQuery, input: AnalyticsInput): ExactStatistic[] {
  const names = featureNames(input.dataset);
  return query.statistics.map((request, index) => {
    const label = `statistic #${index + 1} (${request.kind}${describeFeatures(request)})`;
    const features = referencedFeatures(request).map((ref) => resolveFeature(ref, names, label));
    const rows = completeRows(input.dataset, input.rows, features);
    const value = exactValue(request, input, features, rows, label);
    return { request, label, features, rows, value, cells: releasedCells(request, value, features.map((j) => names[j] as string), input.dataset) };
  });
}

function referencedFeatures(request: StatisticRequest): readonly FeatureRef[] {
  if ('features' in request) return request.features;
  if ('feature' in request) return [request.feature];
  return [];
}

function describeFeatures(request: StatisticRequest): string {
  const refs = referencedFeatures(request);
  return refs.length === 0 ? '' : ` of ${refs.join(', ')}`;
}

function resolveFeature(ref: FeatureRef, names: readonly string[], label: string): number {
  const position = typeof ref === 'number' ? ref : names.indexOf(ref);
  if (position < 0 || position >= names.length) {
    const known = names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ');
    throw new NodeError('MALFORMED_REQUEST', `${label}: the dataset has no feature ${JSON.stringify(ref)} (features: ${known})`);
  }
  return position;
}

/** Rows whose value is finite in every feature read: a statistic is computed on complete cases. */
function completeRows(dataset: Dataset, rows: readonly number[], features: readonly number[]): number[] {
  if (features.length === 0) return [...rows];
  return rows.filter((row) => {
    const x = dataset.features(row);
    return features.every((j) => Number.isFinite(x[j]));
  });
}

function exactValue(request: StatisticRequest, input: AnalyticsInput, features: readonly number[], rows: readonly number[], label: string): ExactValue {
  const { dataset } = input;
  switch (request.kind) {
    case 'count':
      return { kind: 'count', count: rows.length };
    case 'sum':
    case 'mean':
    case 'variance': {
      const all = featureMoments(dataset, rows);
      return { kind: 'moments', count: all.count, mean: features.map((j) => all.mean[j] as number), m2: features.map((j) => all.m2[j] as number) };
    }
    case 'covariance':
      return coMoments(dataset, rows, features);
    case 'min':
    case 'max': {
      const pick = request.kind === 'min' ? Math.min : Math.max;
      const values = features.map((j) => rows.reduce((acc, row) => pick(acc, dataset.features(row)[j] as number), request.kind === 'min' ? Infinity : -Infinity));
      return { kind: 'extremes', values };
    }
    case 'histogram':
    case 'quantiles':
      return { kind: 'bins', counts: binCounts(dataset, rows, features[0] as number, request.edges) };
    case 'labelCounts':
      return { kind: 'bins', counts: labelCounts(dataset, rows, label) };
    case 'missing':
      return missingValues(input);
  }
}

/** Two passes in float64: the means, then the sums of products of deviations (row-major k×k). */
function coMoments(dataset: Dataset, rows: readonly number[], features: readonly number[]): ExactValue {
  const k = features.length;
  const mean = new Float64Array(k);
  for (const row of rows) {
    const x = dataset.features(row);
    features.forEach((j, a) => (mean[a] = (mean[a] as number) + (x[j] as number)));
  }
  if (rows.length > 0) mean.forEach((s, a) => (mean[a] = s / rows.length));
  const comoment = new Float64Array(k * k);
  const d = new Float64Array(k);
  for (const row of rows) {
    const x = dataset.features(row);
    features.forEach((j, a) => (d[a] = (x[j] as number) - (mean[a] as number)));
    for (let a = 0; a < k; a += 1) for (let b = 0; b < k; b += 1) comoment[a * k + b] = (comoment[a * k + b] as number) + (d[a] as number) * (d[b] as number);
  }
  return { kind: 'comoments', count: rows.length, mean: Array.from(mean), comoment: Array.from(comoment) };
}

/**
 * Counts below `edges[0]`, in each `[edges[i], edges[i+1])` (the last bin also holds its upper
 * edge), and above the last edge: `edges.length + 1` counts.
 */
export function binCounts(dataset: Dataset, rows: readonly number[], feature: number, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  const last = edges[edges.length - 1] as number;
  for (const row of rows) {
    const bin = binOf(dataset.features(row)[feature] as number, edges, last);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

function binOf(v: number, edges: readonly number[], last: number): number {
  if (v < (edges[0] as number)) return 0;
  if (v > last) return edges.length;
  if (v === last) return edges.length - 1;
  // Binary search for the last edge <= v.
  let lo = 0;
  let hi = edges.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= v) lo = mid;
    else hi = mid;
  }
  return lo + 1;
}

function labelCounts(dataset: Dataset, rows: readonly number[], label: string): number[] {
  const classes = dataset.metadata.numClasses;
  if (classes < 1) throw new NodeError('MALFORMED_REQUEST', `${label}: the dataset has no classes (numClasses 0: regression or survival labels)`);
  const counts = new Array<number>(classes).fill(0);
  for (const row of rows) {
    const id = dataset.label(row)[0] as number;
    if (Number.isInteger(id) && id >= 0 && id < classes) counts[id] = (counts[id] as number) + 1;
  }
  return counts;
}

function missingValues(input: AnalyticsInput): ExactValue {
  const width = input.dataset.metadata.featureShape.reduce((a, b) => a * b, 1);
  const missing = new Array<number>(width).fill(0);
  for (const row of input.rows) input.dataset.features(row).forEach((v, j) => (missing[j] = (missing[j] as number) + (Number.isFinite(v) ? 0 : 1)));
  const report = input.missingValues;
  return {
    kind: 'missing',
    missing,
    rows: input.rows.length,
    sourceRows: report?.rows ?? input.dataset.size,
    droppedRows: report?.droppedRows ?? 0,
    imputedCells: report?.imputedCells ?? 0,
  };
}

function releasedCells(request: StatisticRequest, value: ExactValue, names: readonly string[], dataset: Dataset): ReleasedCell[] {
  switch (value.kind) {
    case 'count':
      return [{ label: 'the row count', count: value.count }];
    case 'moments':
    case 'comoments':
    case 'extremes':
      return [];
    case 'bins': {
      if (request.kind === 'labelCounts') {
        return value.counts.map((count, c) => ({ label: `class ${dataset.metadata.classNames?.[c] ?? c}`, count }));
      }
      const edges = 'edges' in request ? request.edges : [];
      const feature = names[0] ?? '';
      return value.counts.map((count, i) => ({ label: `${binLabel(edges, i)} of ${feature}`, count }));
    }
    case 'missing':
      return [
        ...value.missing.map((count, j) => ({ label: `missing values of ${featureNames(dataset)[j]}`, count })),
        { label: 'rows dropped for missing values', count: value.droppedRows },
        { label: 'imputed values', count: value.imputedCells },
      ];
  }
}

/** `below 30`, `bin [30, 40)`, `bin [60, 70]` (the last bin is closed), `above 70`. */
export function binLabel(edges: readonly number[], index: number): string {
  if (index === 0) return `the bin below ${edges[0]}`;
  if (index === edges.length) return `the bin above ${edges[edges.length - 1]}`;
  const close = index === edges.length - 1 ? ']' : ')';
  return `bin [${edges[index - 1]}, ${edges[index]}${close}`;
}

/** The rows a query reads: every row, or the train rows of the split the dataset carries. */
export function queryRows(query: AnalyticsQuery, dataset: Dataset, split: { readonly train: readonly number[] } | undefined, datasetId: string): number[] {
  if (query.rows === 'all') return Array.from({ length: dataset.size }, (_, i) => i);
  if (split === undefined) {
    throw new NodeError('MALFORMED_REQUEST', `query "${query.name}" reads the train rows, but dataset ${datasetId} carries no split of its own (split column or file)`);
  }
  return [...split.train];
}
