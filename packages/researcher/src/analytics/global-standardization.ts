import type { PreprocessingRef } from '@fedbiomed/training';
import { ResearcherError } from '../errors';
import type { AnalyticsResult } from './analytics';

/** The `standardize` step of a plan holding global statistics. */
export interface GlobalStandardizeStep extends PreprocessingRef {
  readonly name: 'standardize';
  readonly params: {
    readonly statistics: 'global';
    readonly mean: number[];
    readonly scale: number[];
    readonly sampleCount: number;
    readonly query: string;
  };
}

/**
 * A plan's `standardize` step with the pooled statistics of an analytics query: the mean and the
 * population standard deviation (1 for a constant feature, as federated standardisation) of a
 * `variance` statistic over every feature of the datasets, in their order. Pass it to `buildPlan`'s
 * `preprocessing`: the statistics are then part of the plan, of its approval hash, and of the
 * exported model, and every node standardises with exactly them. Throws `INVALID_OPTION` when the
 * result holds no such statistic (the message says what to ask for).
 *
 * @param statistic - index of the `variance` statistic in the query (default: the first one)
 */
export function globalStandardization(result: AnalyticsResult, statistic?: number): GlobalStandardizeStep {
  const index = statistic ?? result.pooled.findIndex((value) => value.kind === 'variance');
  const value = result.pooled[index];
  if (value?.kind !== 'variance') {
    throw new ResearcherError('INVALID_OPTION', `query "${result.query.name}": ${statistic === undefined ? 'no' : `statistic #${index + 1} is not a`} variance statistic; ask for { kind: 'variance', features: [every feature, in order] }`);
  }
  const expected = result.nodes[0]?.featureNames ?? [];
  const differing = result.nodes.find((node) => node.featureNames.join('\u0000') !== expected.join('\u0000'));
  if (differing !== undefined) throw new ResearcherError('INVALID_OPTION', `nodes ${result.nodes[0]?.nodeName} and ${differing.nodeName} hold different features: no single standardisation fits both`);
  if (value.features.join('\u0000') !== expected.join('\u0000')) {
    throw new ResearcherError('INVALID_OPTION', `statistic #${index + 1} covers ${value.features.join(', ')}; a standardisation needs every feature in the datasets' order: ${expected.join(', ')}`);
  }
  const n = value.count;
  const scale = value.variance.map((variance) => {
    const std = Math.sqrt((variance * (n - value.ddof)) / n);
    return std > 0 ? std : 1;
  });
  return { name: 'standardize', params: { statistics: 'global', mean: [...value.mean], scale, sampleCount: n, query: result.querySha256 } };
}
