/**
 * Federated analytics queries as data: the statistics a researcher asks of the nodes' datasets,
 * in canonical JSON identified by its SHA-256, so that a node operator approves a query by hash
 * exactly as a training plan, and a node computes nothing but what was approved.
 */
import type { TrainingPlan } from '@fedbiomed/proto';
import { describeZodIssues } from '@fedbiomed/datasets';
import { z } from 'zod';

import { TrainingError } from '../errors';
import { canonicalJson, sha256Hex } from '../plan/canonical-json';

/**
 * `TrainingPlan.kind` of an analytics query: a query travels in the approval, plan-status and
 * analytics requests as a plan of this kind, so the node's approval registry, its audit and its
 * operator's `plan approve` treat it as they treat plans.
 */
export const ANALYTICS_QUERY_KIND = 'analytics-query';
/** Format tag inside a query's canonical JSON. */
export const ANALYTICS_QUERY_FORMAT = 'fedbiomed-analytics-query';
/** Version of the query layout; bumped on any incompatible change. */
export const ANALYTICS_QUERY_VERSION = 1;

/** A feature: its name (a CSV column, a recipe's feature name) or its flattened position. */
const featureRef = z.union([z.string().min(1), z.number().int().min(0)]);
const featureList = z.array(featureRef).min(1).max(256);
const ddof = z.union([z.literal(0), z.literal(1)]).default(1);
const edges = z
  .array(z.number().finite())
  .min(2)
  .max(1001)
  .refine((values) => values.every((v, i) => i === 0 || v > (values[i - 1] as number)), 'bin edges must increase strictly');

/** One statistic a query asks for. */
export const statisticRequestSchema = z.discriminatedUnion('kind', [
  /** Number of rows. */
  z.strictObject({ kind: z.literal('count') }),
  z.strictObject({ kind: z.literal('sum'), features: featureList }),
  z.strictObject({ kind: z.literal('mean'), features: featureList }),
  /** Variance and standard deviation, with `ddof` 1 (sample, the default) or 0 (population). */
  z.strictObject({ kind: z.literal('variance'), features: featureList, ddof }),
  /** Smallest and largest value: only on nodes whose policy allows them (`analytics.allowMinMax`). */
  z.strictObject({ kind: z.literal('min'), features: featureList }),
  z.strictObject({ kind: z.literal('max'), features: featureList }),
  /**
   * Counts of one feature per bin `[edges[i], edges[i+1])` (the last bin also holds its upper
   * edge), plus the rows below the first edge and above the last.
   */
  z.strictObject({ kind: z.literal('histogram'), feature: featureRef, edges }),
  /** Quantiles estimated from the pooled histogram over `edges`: exact to within the width of the bin each falls in. */
  z.strictObject({ kind: z.literal('quantiles'), feature: featureRef, edges, probabilities: z.array(z.number().min(0).max(1)).min(1).max(99) }),
  /** Covariance and correlation matrices of two or more features. */
  z.strictObject({ kind: z.literal('covariance'), features: featureList.min(2), ddof }),
  /** Rows per class of a classification dataset. */
  z.strictObject({ kind: z.literal('labelCounts') }),
  /** Missing values: per feature as the dataset is opened, and what the node's missing-value policy dropped or imputed. */
  z.strictObject({ kind: z.literal('missing') }),
]);

/** What a researcher writes: a name for the operators, the rows, the statistics. */
export const analyticsQueryInputSchema = z.strictObject({
  /** Shown to node operators beside the hash. */
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  /** `all` rows of the dataset, or the `train` rows of the split it carries (a split column or file, a recipe's). */
  rows: z.enum(['all', 'train']).default('all'),
  statistics: z.array(statisticRequestSchema).min(1).max(64),
});

const analyticsQuerySchema = analyticsQueryInputSchema.extend({
  format: z.literal(ANALYTICS_QUERY_FORMAT),
  version: z.literal(ANALYTICS_QUERY_VERSION),
});

/** A statistic of a query, defaults filled in. */
export type StatisticRequest = z.output<typeof statisticRequestSchema>;
/** One of the statistic kinds. */
export type StatisticKind = StatisticRequest['kind'];
/** A feature reference: name or flattened position. */
export type FeatureRef = z.output<typeof featureRef>;
/** What {@link buildAnalyticsQuery} accepts; defaulted fields may be left out. */
export type AnalyticsQueryInput = z.input<typeof analyticsQueryInputSchema>;
/** A checked query, defaults filled in, as its canonical JSON holds it. */
export type AnalyticsQuery = z.output<typeof analyticsQuerySchema>;

/** A query ready to send: its checked content and the plan-shaped envelope it travels in. */
export interface BuiltAnalyticsQuery {
  readonly query: AnalyticsQuery;
  /** `kind` {@link ANALYTICS_QUERY_KIND}; `sha256` is the query's approval hash. */
  readonly plan: Required<TrainingPlan>;
}

/**
 * Checks a researcher's query and encodes it canonically. Throws a {@link TrainingError}
 * (`INVALID_ARGUMENT`) naming each faulty field.
 */
export function buildAnalyticsQuery(input: AnalyticsQueryInput): BuiltAnalyticsQuery {
  const parsed = analyticsQueryInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new TrainingError('INVALID_ARGUMENT', `analytics query: ${describeZodIssues(parsed.error.issues, input).join('; ')}`);
  }
  const query: AnalyticsQuery = { format: ANALYTICS_QUERY_FORMAT, version: ANALYTICS_QUERY_VERSION, ...parsed.data };
  const json = canonicalJson(query);
  return { query, plan: { canonicalJson: json, sha256: sha256Hex(json), kind: ANALYTICS_QUERY_KIND, name: query.name } };
}

/**
 * Reads a query received from the wire: kind, hash equal to the SHA-256 of the canonical JSON,
 * JSON in canonical form, content a query this version understands. Throws a {@link TrainingError}
 * (`UNSUPPORTED_KIND`, `HASH_MISMATCH` or `MALFORMED_PLAN`) saying which.
 */
export function readAnalyticsQuery(plan: TrainingPlan): AnalyticsQuery {
  if (plan.kind !== ANALYTICS_QUERY_KIND) throw new TrainingError('UNSUPPORTED_KIND', `"${plan.kind ?? ''}" is not an analytics query (kind "${ANALYTICS_QUERY_KIND}")`);
  const json = plan.canonicalJson ?? '';
  const digest = sha256Hex(json);
  if (digest !== plan.sha256) throw new TrainingError('HASH_MISMATCH', `analytics query "${plan.name ?? ''}": sha256 ${plan.sha256 ?? ''} does not match its JSON (${digest})`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new TrainingError('MALFORMED_PLAN', `analytics query ${digest}: not JSON (${(cause as Error).message})`, { cause });
  }
  const parsed = analyticsQuerySchema.safeParse(value);
  if (!parsed.success) throw new TrainingError('MALFORMED_PLAN', `analytics query ${digest}: ${describeZodIssues(parsed.error.issues, value).join('; ')}`);
  if (canonicalJson(parsed.data) !== json) throw new TrainingError('MALFORMED_PLAN', `analytics query ${digest}: JSON is not in canonical form or leaves out defaults`);
  return parsed.data;
}

/** The query in a few lines for an operator deciding on it: one line per statistic. */
export function describeAnalyticsQuery(query: AnalyticsQuery): string {
  const lines = query.statistics.map((s, i) => `  ${i + 1}. ${describeStatistic(s)}`);
  return [`analytics query "${query.name}" over ${query.rows} rows${query.description ? `: ${query.description}` : ''}`, ...lines].join('\n');
}

function describeStatistic(s: StatisticRequest): string {
  switch (s.kind) {
    case 'count':
    case 'labelCounts':
    case 'missing':
      return s.kind;
    case 'histogram':
      return `histogram of ${s.feature} over ${s.edges.length - 1} bins [${s.edges[0]}, ${s.edges[s.edges.length - 1]}]`;
    case 'quantiles':
      return `quantiles ${s.probabilities.join(', ')} of ${s.feature} from ${s.edges.length - 1} bins [${s.edges[0]}, ${s.edges[s.edges.length - 1]}]`;
    default:
      return `${s.kind} of ${s.features.join(', ')}`;
  }
}
