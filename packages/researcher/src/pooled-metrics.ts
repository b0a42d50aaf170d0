import {
  concordanceHistogramProblem,
  POOLABLE_RANKING_METRIC,
  POOLABLE_SURVIVAL_METRIC,
  pooledConcordanceIndex,
  pooledRocAuc,
  SCORE_HISTOGRAM_BINS,
  type ConcordanceBinning,
  type ConcordanceHistogram,
  type ScoreHistogram,
} from '@fedbiomed/training';
import type { NodeFailure, PooledMetric } from './experiment-results';

/** One node's binned statistics, as its evaluate reply carries them. */
export interface NodeHistograms {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly histograms: Readonly<Record<string, ScoreHistogram>>;
  /** Its survival cells under the binning it was sent; absent or null when it sent none. */
  readonly concordance?: ConcordanceHistogram | null;
}

/** The pooled metrics, named `<metric>_pooled`, and the nodes whose histograms were refused. */
export interface PooledMetrics {
  readonly pooled: Readonly<Record<string, PooledMetric>>;
  readonly refused: readonly NodeFailure[];
}

/**
 * Pools ranking metrics across nodes from their binned statistics (counts per bin, no sample
 * values), where the sample-weighted mean of per-node values ignores every pair of samples from
 * different nodes:
 * - `roc_auc_pooled` from per-node histograms of predicted scores ({@link SCORE_HISTOGRAM_BINS}
 *   non-negative integer counts per label), see `pooledRocAuc`;
 * - `concordance_index_pooled` from per-node survival cells under `concordanceBinning` (the bins the
 *   nodes were sent) and their exact within-node pair counts, see `pooledConcordanceIndex`.
 *
 * A node's malformed statistics are left out and reported as a `BAD_REPLY` of that node.
 */
export function poolRankingMetrics(nodes: readonly NodeHistograms[], concordanceBinning?: ConcordanceBinning): PooledMetrics {
  const refused: NodeFailure[] = [];
  const accept = <T>(node: NodeHistograms, metric: string, statistics: T | null | undefined, problemOf: (s: T) => string | undefined): T[] => {
    if (statistics === undefined || statistics === null) return [];
    const problem = problemOf(statistics);
    if (problem === undefined) return [statistics];
    refused.push({ nodeId: node.nodeId, nodeName: node.nodeName, code: 'BAD_REPLY', reason: `${metric} ${problem}; left out of ${metric}_pooled` });
    return [];
  };
  const pooled: Record<string, PooledMetric> = {};
  const scored = nodes.flatMap((node) => accept(node, POOLABLE_RANKING_METRIC, node.histograms[POOLABLE_RANKING_METRIC], histogramProblem).map((histogram) => ({ nodeId: node.nodeId, histogram })));
  if (scored.length > 0) {
    const auc = pooledRocAuc(scored.map((a) => a.histogram));
    pooled[`${POOLABLE_RANKING_METRIC}_pooled`] = { value: auc.value, errorBound: auc.errorBound, nodeIds: scored.map((a) => a.nodeId), sampleCount: auc.positives + auc.negatives };
  }
  if (concordanceBinning !== undefined) {
    const binned = nodes.flatMap((node) =>
      accept(node, POOLABLE_SURVIVAL_METRIC, node.concordance, (h) => prefixed('survival histogram', concordanceHistogramProblem(h, concordanceBinning))).map((histogram) => ({ nodeId: node.nodeId, histogram })),
    );
    if (binned.length > 0) {
      const cIndex = pooledConcordanceIndex(binned.map((b) => b.histogram), concordanceBinning);
      pooled[`${POOLABLE_SURVIVAL_METRIC}_pooled`] = { value: cIndex.value, errorBound: cIndex.errorBound, nodeIds: binned.map((b) => b.nodeId), sampleCount: cIndex.sampleCount };
    }
  }
  return { pooled, refused };
}

function prefixed(what: string, problem: string | undefined): string | undefined {
  return problem === undefined ? undefined : `${what} ${problem}`;
}

function histogramProblem(histogram: ScoreHistogram): string | undefined {
  for (const [label, counts] of [['negatives', histogram.negatives], ['positives', histogram.positives]] as const) {
    if (counts.length !== SCORE_HISTOGRAM_BINS) return `score histogram has ${counts.length} ${label} bins, expected ${SCORE_HISTOGRAM_BINS}`;
    const bad = counts.findIndex((c) => !Number.isSafeInteger(c) || c < 0);
    if (bad >= 0) return `score histogram holds ${counts[bad]} ${label} in bin ${bad}, not a non-negative integer`;
  }
  return undefined;
}
