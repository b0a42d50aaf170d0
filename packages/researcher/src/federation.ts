import type {
  AnalyticsReply__Output,
  PrivacySpent__Output,
  ApprovalReply__Output,
  EvaluateReply__Output,
  FeatureStatisticsReply__Output,
  MetricSet__Output,
  PlanStatusReply__Output,
  Scalar__Output,
  SearchReply__Output,
  Timing__Output,
  TrainingArgs,
  TrainingPlan,
} from '@fedbiomed/proto';
import type { AdvertisedKeys, EncryptedShare, SecAggParameters, UnmaskRequest, UnmaskShares } from '@fedbiomed/secagg';
import type { ParameterLayout } from '@fedbiomed/strategy';
import type { ConcordanceBinning } from '@fedbiomed/training';

/**
 * The network as the researcher sees it: the few operations an experiment needs, in domain terms
 * (flat weights with their layout rather than chunk frames). `createTransportFederation` implements
 * it over `@fedbiomed/transport`'s `ResearcherServer`; an experiment receives it, so tests and other
 * transports can supply their own.
 */
export interface Federation {
  /** Nodes known to the server, online or not. */
  listNodes(): readonly FederationNode[];
  /** Asks `nodeIds` which datasets match every tag; replies arrive as they come. */
  search(nodeIds: readonly string[], tags: readonly string[], options: RequestOptions): AsyncIterable<NodeOutcome<SearchReply__Output>>;
  /** Sends a plan for approval by each node's operator. */
  requestApproval(
    nodeIds: readonly string[],
    request: { plan: TrainingPlan; description: string },
    options: RequestOptions,
  ): AsyncIterable<NodeOutcome<ApprovalReply__Output>>;
  /** Asks each node where a plan stands (unknown, pending, approved, rejected). */
  planStatus(nodeIds: readonly string[], planSha256: string, options: RequestOptions): AsyncIterable<NodeOutcome<PlanStatusReply__Output>>;
  /**
   * Sends one training task per node. The iterator yields each node's outcome as it arrives and
   * ends when all have answered, the timeout passed (the missing ones then yield a `TIMEOUT`
   * failure) or `options.signal` aborted (pending requests are cancelled, nothing more is yielded).
   */
  train(tasks: readonly TrainTask[], options: RequestOptions): AsyncIterable<NodeOutcome<TrainOutcome>>;
  /** Evaluates given weights on each node's test split (the split its training rounds use). */
  evaluate(tasks: readonly EvaluateTask[], options: RequestOptions): AsyncIterable<NodeOutcome<EvaluateReply__Output>>;
  /** Asks each node for the count, mean and M2 of its train split's features (aggregates only). */
  featureStatistics(tasks: readonly FeatureStatisticsTask[], options: RequestOptions): AsyncIterable<NodeOutcome<FeatureStatisticsReply__Output>>;
  /** Connections, disconnections, scalars and logs; returns the unsubscribe function. */
  subscribe(listener: (event: FederationEvent) => void): () => void;
  /** The secure-aggregation steps; a federation without them cannot run a secure round. */
  readonly secureAggregation?: SecureAggregationChannel;
}

/**
 * The steps of a secure-aggregation round other than training (see `@fedbiomed/secagg`): each
 * node's outcome as it arrives, like {@link Federation.train}.
 */
export interface SecureAggregationChannel {
  /** Step 0: the round's parameters; each node answers with its public keys. */
  setup(tasks: readonly SecAggSetupTask[], options: RequestOptions): AsyncIterable<NodeOutcome<AdvertisedKeys>>;
  /** Step 1: every advertised key and each node's neighbours in the round's graph; each node answers with its encrypted shares. */
  shareKeys(
    nodeIds: readonly string[],
    request: { readonly sessionId: string; readonly keys: readonly AdvertisedKeys[]; readonly neighboursOf: (nodeId: string) => readonly string[] },
    options: RequestOptions,
  ): AsyncIterable<NodeOutcome<EncryptedShare[]>>;
  /** Step 3: survivors and dropped nodes; each survivor answers with the shares it reveals. */
  unmask(nodeIds: readonly string[], request: UnmaskRequest & { readonly sessionId: string }, options: RequestOptions): AsyncIterable<NodeOutcome<UnmaskShares>>;
}

/** What one node is asked at the setup of a secure-aggregation round. */
export interface SecAggSetupTask {
  readonly nodeId: string;
  readonly datasetId: string;
  readonly round: number;
  readonly parameters: SecAggParameters;
  /** The FedAvg weighting the node applies before masking. */
  readonly weighting: 'dataset_size' | 'uniform';
}

/** A node as the server's registry knows it. */
export interface FederationNode {
  readonly id: string;
  readonly name: string;
  readonly online: boolean;
}

/** Per-request options. */
export interface RequestOptions {
  readonly experimentId: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** One node's answer: its reply, or why there is none (`code` is a transport or node error code). */
export type NodeOutcome<T> =
  | { readonly ok: true; readonly nodeId: string; readonly value: T }
  | { readonly ok: false; readonly nodeId: string; readonly code: string; readonly message: string };

/** What one node is asked to train. */
export interface TrainTask {
  readonly nodeId: string;
  readonly datasetId: string;
  readonly round: number;
  readonly plan: TrainingPlan;
  readonly layout: ParameterLayout;
  /** Global weights, flat in `layout`. */
  readonly weights: Float32Array;
  /** Strategy arrays in `layout`, e.g. `scaffold.server_control`. */
  readonly aux: Readonly<Record<string, Float32Array>>;
  readonly args: TrainingArgs;
  readonly strategyName: string;
  /** The pooled standardisation, when the plan declares federated statistics. */
  readonly standardization?: Standardization;
  /** Set in a secure-aggregation round: the node replies with its masked weighted delta. */
  readonly masking?: { readonly sessionId: string; readonly shares: readonly EncryptedShare[] };
}

/** Per-feature `(x - mean) / scale` every node applies under a plan with federated standardisation. */
export interface Standardization {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
}

/** What one node is asked for feature statistics on: the train split its rounds will use. */
export interface FeatureStatisticsTask {
  readonly nodeId: string;
  readonly datasetId: string;
  readonly plan: TrainingPlan;
  readonly testRatio: number;
  readonly randomSeed: number;
}

/** What one node is asked to evaluate. */
export interface EvaluateTask {
  readonly nodeId: string;
  readonly datasetId: string;
  readonly plan: TrainingPlan;
  readonly layout: ParameterLayout;
  readonly weights: Float32Array;
  readonly metrics: readonly string[];
  readonly testRatio: number;
  readonly randomSeed: number;
  /** As in {@link TrainTask.standardization}. */
  readonly standardization?: Standardization;
  /** Shared bins for the node's survival cells, to pool `concordance_index`; none asked when absent. */
  readonly concordanceBinning?: ConcordanceBinning;
}

/** A node's training reply, with weights already flat in the round's layout. */
export interface TrainOutcome {
  readonly datasetId: string;
  readonly round: number;
  /** Samples processed this round. */
  readonly sampleCount: number;
  /** Rows of the node's train split; 0 or absent from a node predating the field. */
  readonly trainSize?: number;
  /** Local weights, or the delta local − global when `isDelta`; empty in a secure round. */
  readonly weights: Float32Array;
  /** A secure round's masked input (words of Z_{2^32}), in place of `weights`. */
  readonly masked?: Uint32Array;
  readonly isDelta: boolean;
  readonly aux: Readonly<Record<string, Float32Array>>;
  readonly metricsBefore: MetricSet__Output | null;
  readonly metricsAfter: MetricSet__Output | null;
  readonly timing: Timing__Output | null;
  readonly numUpdates: number;
  readonly backend: string;
  /** Tensor bytes of the request (weights and strategy state), when the federation counts them. */
  readonly bytesSent?: number;
  /** Tensor bytes of the reply, when the federation counts them. */
  readonly bytesReceived?: number;
  /** Differential privacy the task spent, from a node that trained under DP. */
  readonly privacy?: PrivacySpent__Output | null;
}

/** Something that happened on the federation outside a reply. */
export type FederationEvent =
  | { readonly type: 'node-online'; readonly nodeId: string; readonly nodeName: string }
  | { readonly type: 'node-offline'; readonly nodeId: string; readonly nodeName: string; readonly reason: string }
  | { readonly type: 'scalar'; readonly nodeId: string; readonly scalar: Scalar__Output }
  | {
      readonly type: 'log';
      readonly nodeId: string;
      readonly requestId: string;
      readonly level: string;
      readonly message: string;
      readonly timestampMs: number;
    };

/** A federation that also answers analytics queries (`createTransportFederation`'s does). */
export interface AnalyticsFederation extends Federation {
  /** Asks each node for the statistics of one dataset under an approved analytics query (aggregates only). */
  analytics(tasks: readonly AnalyticsTask[], options: RequestOptions): AsyncIterable<NodeOutcome<AnalyticsReply__Output>>;
}

/** What one node is asked for statistics on. */
export interface AnalyticsTask {
  readonly nodeId: string;
  readonly datasetId: string;
  /** The query in its plan-shaped envelope (kind `analytics-query`). */
  readonly query: TrainingPlan;
}
