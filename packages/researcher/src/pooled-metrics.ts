import { POOLABLE_RANKING_METRIC, pooledRocAuc, SCORE_HISTOGRAM_BINS, type ScoreHistogram } from '@fedbiomed/training';
import type { NodeFailure, PooledMetric } from './experiment-results';

/** One node's score histograms, as its evaluate reply carries them. */
export interface NodeHistograms {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly histograms: Readonly<Record<string, ScoreHistogram>>;
}

/** The pooled metrics, named `<metric>_pooled`, and the nodes whose histograms were refused. */
export interface PooledMetrics {
  readonly pooled: Readonly<Record<string, PooledMetric>>;
  readonly refused: readonly NodeFailure[];
}

/**
 * Pools `roc_auc` across nodes from per-node histograms of predicted scores (counts per bin by
 * label, no sample values): the result is `roc_auc_pooled`, the AUC of all test samples at once,
 * where the sample-weighted mean of per-node AUCs ignores every pair of samples from different
 * nodes. A histogram not of {@link SCORE_HISTOGRAM_BINS} non-negative integer counts per label is
 * left out and reported as a `BAD_REPLY` of its node.
 */
export function poolRankingMetrics(nodes: readonly NodeHistograms[]): PooledMetrics {
  const refused: NodeFailure[] = [];
  const accepted: { nodeId: string; histogram: ScoreHistogram }[] = [];
  for (const node of nodes) {
    const histogram = node.histograms[POOLABLE_RANKING_METRIC];
    if (histogram === undefined) continue;
    const problem = histogramProblem(histogram);
    if (problem === undefined) accepted.push({ nodeId: node.nodeId, histogram });
    else refused.push({ nodeId: node.nodeId, nodeName: node.nodeName, code: 'BAD_REPLY', reason: `${POOLABLE_RANKING_METRIC} score histogram ${problem}; left out of ${POOLABLE_RANKING_METRIC}_pooled` });
  }
  if (accepted.length === 0) return { pooled: {}, refused };
  const auc = pooledRocAuc(accepted.map((a) => a.histogram));
  const pooled: PooledMetric = { value: auc.value, errorBound: auc.errorBound, nodeIds: accepted.map((a) => a.nodeId), sampleCount: auc.positives + auc.negatives };
  return { pooled: { [`${POOLABLE_RANKING_METRIC}_pooled`]: pooled }, refused };
}

function histogramProblem(histogram: ScoreHistogram): string | undefined {
  for (const [label, counts] of [['negatives', histogram.negatives], ['positives', histogram.positives]] as const) {
    if (counts.length !== SCORE_HISTOGRAM_BINS) return `has ${counts.length} ${label} bins, expected ${SCORE_HISTOGRAM_BINS}`;
    const bad = counts.findIndex((c) => !Number.isSafeInteger(c) || c < 0);
    if (bad >= 0) return `holds ${counts[bad]} ${label} in bin ${bad}, not a non-negative integer`;
  }
  return undefined;
}
