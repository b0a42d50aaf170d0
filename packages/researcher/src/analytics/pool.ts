/**
 * From the aggregates nodes send to the statistics a researcher reads, per node and pooled. Pooling
 * is exact for everything but quantiles: counts and bins add up, moments and co-moments merge with
 * Chan, Golub and LeVeque's parallel update, extremes take the extreme. Quantiles come from the
 * pooled histogram and carry the interval the exact quantile lies in.
 */
import type { StatisticResult__Output } from '@fedbiomed/proto';
import type { StatisticRequest } from '@fedbiomed/training';
import { ResearcherError } from '../errors';
import { mergeMoments } from '../moments';
import { quantilesFromHistogram, type QuantileEstimate } from './quantiles';

/** One statistic as a researcher reads it. */
export type StatisticValue =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'sum'; readonly features: readonly string[]; readonly count: number; readonly sum: readonly number[] }
  | { readonly kind: 'mean'; readonly features: readonly string[]; readonly count: number; readonly mean: readonly number[] }
  | {
      readonly kind: 'variance';
      readonly features: readonly string[];
      readonly count: number;
      readonly ddof: 0 | 1;
      readonly mean: readonly number[];
      readonly variance: readonly number[];
      readonly std: readonly number[];
    }
  | { readonly kind: 'min'; readonly features: readonly string[]; readonly values: readonly number[] }
  | { readonly kind: 'max'; readonly features: readonly string[]; readonly values: readonly number[] }
  | {
      readonly kind: 'histogram';
      readonly feature: string;
      readonly edges: readonly number[];
      /** One count per bin `[edges[i], edges[i+1])`, the last bin closed. */
      readonly counts: readonly number[];
      /** Rows below the first edge and above the last. */
      readonly below: number;
      readonly above: number;
    }
  | {
      readonly kind: 'quantiles';
      readonly feature: string;
      readonly edges: readonly number[];
      readonly quantiles: readonly QuantileEstimate[];
    }
  | {
      readonly kind: 'covariance';
      readonly features: readonly string[];
      readonly count: number;
      readonly ddof: 0 | 1;
      readonly mean: readonly number[];
      readonly covariance: readonly (readonly number[])[];
      readonly correlation: readonly (readonly number[])[];
    }
  | { readonly kind: 'labelCounts'; readonly classNames: readonly string[]; readonly counts: readonly number[] }
  | {
      readonly kind: 'missing';
      readonly features: readonly string[];
      /** Non-finite values per feature in the dataset as its node opens it. */
      readonly missing: readonly number[];
      /** Rows the statistics were computed on. */
      readonly rows: number;
      /** Rows of the source files, dropped rows and imputed values, from each node's missing-value policy. */
      readonly sourceRows: number;
      readonly droppedRows: number;
      readonly imputedCells: number;
    };

/** What a node's reply holds for one statistic, in the contract's shape. */
export type StatisticPart = Omit<StatisticResult__Output, 'noiseScale' | 'epsilon'>;

/** Names a node gave its features and classes, to read the query's references with. */
export interface NodeNames {
  readonly featureNames: readonly string[];
  readonly classNames: readonly string[];
}

/**
 * Merges the same statistic of several nodes into the statistic of their union of rows. Throws
 * `BAD_REPLY` when a part does not have the shape the request asks for.
 */
export function poolStatistic(request: StatisticRequest, parts: readonly StatisticPart[], where: string): StatisticPart {
  const expect = <K extends keyof StatisticPart>(key: K): NonNullable<StatisticPart[K]>[] =>
    parts.map((part, i) => {
      const value = part[key];
      if (value === undefined || value === null) throw new ResearcherError('BAD_REPLY', `${where}: reply #${i + 1} holds no ${String(key)} for a ${request.kind} statistic`);
      return value as NonNullable<StatisticPart[K]>;
    });
  switch (partKind(request)) {
    case 'count':
      return { count: expect('count').reduce((a, b) => a + b, 0) };
    case 'moments': {
      const merged = mergeMoments(expect('moments').map((m) => ({ count: m.count, mean: m.mean, second: m.m2 })), 'diagonal', where);
      return { moments: { count: merged.count, mean: merged.mean, m2: merged.second } };
    }
    case 'comoments': {
      const merged = mergeMoments(expect('comoments').map((m) => ({ count: m.count, mean: m.mean, second: m.comoment })), 'matrix', where);
      return { comoments: { count: merged.count, mean: merged.mean, comoment: merged.second } };
    }
    case 'bins':
      return { bins: { counts: addVectors(expect('bins').map((b) => b.counts), where) } };
    case 'missing': {
      const all = expect('missing');
      const total = (key: 'rows' | 'sourceRows' | 'droppedRows' | 'imputedCells'): number => all.reduce((s, m) => s + m[key], 0);
      return {
        missing: { missing: addVectors(all.map((m) => m.missing), where), rows: total('rows'), sourceRows: total('sourceRows'), droppedRows: total('droppedRows'), imputedCells: total('imputedCells') },
      };
    }
    case 'extremes': {
      const pick = request.kind === 'min' ? Math.min : Math.max;
      const vectors = expect('extremes').map((e) => e.values);
      sameLength(vectors, where);
      return { extremes: { values: (vectors[0] ?? []).map((_, j) => pick(...vectors.map((v) => v[j] as number))) } };
    }
  }
}

/** Counts, (co-)moments, bins, missing values or extremes: what a node sends for a request. */
function partKind(request: StatisticRequest): NonNullable<StatisticPart['value']> {
  switch (request.kind) {
    case 'count':
      return 'count';
    case 'sum':
    case 'mean':
    case 'variance':
      return 'moments';
    case 'covariance':
      return 'comoments';
    case 'histogram':
    case 'quantiles':
    case 'labelCounts':
      return 'bins';
    case 'missing':
      return 'missing';
    case 'min':
    case 'max':
      return 'extremes';
  }
}

function sameLength(vectors: readonly (readonly number[])[], where: string): void {
  const width = vectors[0]?.length ?? 0;
  const other = vectors.findIndex((v) => v.length !== width);
  if (other >= 0) throw new ResearcherError('BAD_REPLY', `${where}: reply #${other + 1} holds ${vectors[other]?.length} values, the first holds ${width}`);
}

function addVectors(vectors: readonly (readonly number[])[], where: string): number[] {
  sameLength(vectors, where);
  return (vectors[0] ?? []).map((_, j) => vectors.reduce((s, v) => s + (v[j] as number), 0));
}

/**
 * Reads a (node's or pooled) part as the statistic the request asked for. Throws `BAD_REPLY` when
 * the part does not have the request's shape.
 */
export function finishStatistic(request: StatisticRequest, part: StatisticPart, names: NodeNames, where: string): StatisticValue {
  const pooled = poolStatistic(request, [part], where);
  const name = (ref: string | number): string => (typeof ref === 'number' ? (names.featureNames[ref] ?? `#${ref}`) : ref);
  switch (request.kind) {
    case 'count':
      return { kind: 'count', count: pooled.count as number };
    case 'sum':
    case 'mean':
    case 'variance': {
      const m = pooled.moments as NonNullable<StatisticPart['moments']>;
      const features = request.features.map(name);
      if (request.kind === 'sum') return { kind: 'sum', features, count: m.count, sum: m.mean.map((mean) => mean * m.count) };
      if (request.kind === 'mean') return { kind: 'mean', features, count: m.count, mean: [...m.mean] };
      const variance = m.m2.map((m2) => m2 / (m.count - request.ddof));
      return { kind: 'variance', features, count: m.count, ddof: request.ddof, mean: [...m.mean], variance, std: variance.map(Math.sqrt) };
    }
    case 'covariance': {
      const c = pooled.comoments as NonNullable<StatisticPart['comoments']>;
      const k = c.mean.length;
      const at = (a: number, b: number): number => c.comoment[a * k + b] as number;
      const rows = Array.from({ length: k }, (_, a) => a);
      return {
        kind: 'covariance',
        features: request.features.map(name),
        count: c.count,
        ddof: request.ddof,
        mean: [...c.mean],
        covariance: rows.map((a) => rows.map((b) => at(a, b) / (c.count - request.ddof))),
        correlation: rows.map((a) => rows.map((b) => at(a, b) / Math.sqrt(at(a, a) * at(b, b)))),
      };
    }
    case 'min':
    case 'max':
      return { kind: request.kind, features: request.features.map(name), values: [...(pooled.extremes as NonNullable<StatisticPart['extremes']>).values] };
    case 'histogram': {
      const counts = binsOf(pooled, request.edges.length + 1, where);
      return { kind: 'histogram', feature: name(request.feature), edges: request.edges, counts: counts.slice(1, -1), below: counts[0] as number, above: counts[counts.length - 1] as number };
    }
    case 'quantiles': {
      const counts = binsOf(pooled, request.edges.length + 1, where);
      return { kind: 'quantiles', feature: name(request.feature), edges: request.edges, quantiles: quantilesFromHistogram(request.edges, counts, request.probabilities) };
    }
    case 'labelCounts': {
      const counts = (pooled.bins as NonNullable<StatisticPart['bins']>).counts;
      return { kind: 'labelCounts', classNames: counts.map((_, c) => names.classNames[c] ?? String(c)), counts: [...counts] };
    }
    case 'missing': {
      const m = pooled.missing as NonNullable<StatisticPart['missing']>;
      return { kind: 'missing', features: m.missing.map((_, j) => names.featureNames[j] ?? `#${j}`), ...m, missing: [...m.missing] };
    }
  }
}

function binsOf(part: StatisticPart, expected: number, where: string): number[] {
  const counts = part.bins?.counts ?? [];
  if (counts.length !== expected) throw new ResearcherError('BAD_REPLY', `${where}: ${counts.length} bin counts for ${expected} bins (edges, plus below and above)`);
  return [...counts];
}
