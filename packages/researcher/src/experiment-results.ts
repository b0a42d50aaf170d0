import type { NodePrivacy, ServerPrivacy } from './privacy-report';
import type { PooledStandardization } from './standardization';
import type { MetricValues } from './metric-aggregation';

/** Durations measured by a node (from its `Timing`) and by the researcher (round trip). */
export interface NodeTiming {
  readonly queuedMs: number;
  readonly trainingMs: number;
  readonly evaluationMs: number;
  readonly totalMs: number;
  /** From sending the request to receiving the whole reply, measured by the researcher. */
  readonly roundTripMs: number;
}

/** What one node did in one round. */
export interface NodeRoundResult {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly datasetId: string;
  readonly sampleCount: number;
  readonly numUpdates: number;
  readonly backend: string;
  /** The global model on the node's test split, before local training (absent when not measured). */
  readonly metricsBefore?: MetricValues;
  /** The local model on the node's test split, after local training. */
  readonly metricsAfter?: MetricValues;
  readonly timing: NodeTiming;
  /** Tensor bytes sent to the node this round (global weights and strategy state); absent on federations that do not count them. */
  readonly bytesSent?: number;
  /** Tensor bytes received from the node this round (its weights and strategy state). */
  readonly bytesReceived?: number;
  /** Differential privacy the node's task spent, when it trained under DP (`trainingArgs.dp`). */
  readonly privacy?: NodePrivacy;
}

/** A node asked to train that did not contribute, and why. */
export interface NodeFailure {
  readonly nodeId: string;
  readonly nodeName: string;
  /** `TIMEOUT`, `DISCONNECTED`, a node error code such as `PLAN_NOT_APPROVED`, `BAD_REPLY`, `INFLATED_SAMPLE_COUNT` (a reply claiming more samples than its node may have), or `UPDATE_TOO_LARGE` (an update of absurd norm, see `MAX_UPDATE_NORM_RATIO`). */
  readonly code: string;
  readonly reason: string;
}

/** One completed round. */
export interface RoundResult {
  readonly round: number;
  readonly startedAtMs: number;
  readonly durationMs: number;
  /** Nodes selected for the round. */
  readonly selected: readonly string[];
  readonly nodes: readonly NodeRoundResult[];
  readonly failures: readonly NodeFailure[];
  /** Sample-weighted across nodes, per metric: the global model before this round's training. */
  readonly metricsBefore: MetricValues;
  /** Sample-weighted across nodes, per metric: the local models after this round's training. */
  readonly metricsAfter: MetricValues;
  /** Training metrics as the strategy aggregated them (e.g. training loss). */
  readonly fitMetrics: Readonly<Record<string, number>>;
  /** ε of server-side DP (a DP-FedAvg strategy wrapper), this round and so far. */
  readonly privacy?: ServerPrivacy;
  /** Set when the round ran under secure aggregation. */
  readonly secureAggregation?: SecureRoundSummary;
}

/** What a secure-aggregation round revealed: the weighted mean of the survivors' updates only. */
export interface SecureRoundSummary {
  readonly sessionId: string;
  /** Nodes whose masked updates are in the mean. */
  readonly survivors: readonly string[];
  /** Nodes that shared keys but sent no masked update; their masks were removed. */
  readonly dropped: readonly string[];
  readonly threshold: number;
  readonly clipRange: number;
  /** Fixed-point scale s: a node sent round(s · weight · clip(delta)) under its masks. */
  readonly scale: number;
  /** Per-coordinate bound on |mean − plain weighted mean of the clipped updates| from quantisation. */
  readonly errorBound: number;
}

/** A ranking metric computed over the union of the nodes' test samples from their binned scores. */
export interface PooledMetric {
  readonly value: number;
  /** |value − the metric over the concatenated samples| ≤ errorBound (pairs sharing a bin count ½, or are left out). */
  readonly errorBound: number;
  /** Nodes whose histograms were pooled (a node predating score histograms sends none). */
  readonly nodeIds: readonly string[];
  /** Samples behind the value. */
  readonly sampleCount: number;
}

/** The global model measured on each node's test split, outside training. */
export interface EvaluationResult {
  /** Rounds completed when the weights were evaluated. */
  readonly round: number;
  readonly nodes: readonly { readonly nodeId: string; readonly nodeName: string; readonly datasetId: string; readonly metrics: MetricValues }[];
  readonly failures: readonly NodeFailure[];
  /**
   * Sample-weighted across nodes, per metric; plus, for `roc_auc`, `roc_auc_pooled`: the AUC over
   * all nodes' test samples at once, from their binned scores, and for `concordance_index`,
   * `concordance_index_pooled`: the C-index over all nodes' test samples at once, from their binned
   * survival cells (details in {@link pooled}).
   */
  readonly metrics: MetricValues;
  /**
   * Ranking metrics pooled from per-node binned statistics (`roc_auc_pooled`,
   * `concordance_index_pooled`), with error bound and nodes.
   */
  readonly pooled: Readonly<Record<string, PooledMetric>>;
}

/** What `Experiment.fitStandardization()` gathered: the pooled standardisation and who contributed. */
export interface StandardizationResult {
  readonly standardization: PooledStandardization;
  /** Nodes whose train statistics were pooled, with their row counts. */
  readonly nodes: readonly { readonly nodeId: string; readonly nodeName: string; readonly datasetId: string; readonly sampleCount: number }[];
  readonly failures: readonly NodeFailure[];
}
