/**
 * `@fedbiomed/researcher`: the researcher's SDK. An {@link Experiment} finds the nodes holding
 * datasets with given tags, sends them a training plan, runs rounds with a strategy from
 * `@fedbiomed/strategy`, and keeps results, breakpoints and monitoring files.
 * @packageDocumentation
 */

/**** Experiment ****/
export { Experiment } from './experiment';
export type { ResumeCollaborators } from './experiment';
export type { ExperimentOptions, ExperimentPlan } from './experiment-options';
export { checkSchedule, cosineDecay, exponentialDecay, learningRateAt, stepDecay } from './learning-rate-schedule';
export type { LearningRateSchedule } from './learning-rate-schedule';
export type { ExperimentEvent } from './experiment-events';
export type { EvaluationResult, NodeFailure, NodeRoundResult, NodeTiming, PooledMetric, RoundResult, SecureRoundSummary, StandardizationResult } from './experiment-results';
export { planStandardizeStep, poolFeatureStatistics, standardizationOf } from './standardization';
export type { FeatureStatistics, PooledStandardization } from './standardization';
export { aggregateMetrics } from './metric-aggregation';
export type { MetricValues } from './metric-aggregation';
export { buildGlobalModel, exportGlobalModel } from './global-model';
export type { ExportedStandardization } from './global-model';

/**** Federated analytics ****/
export { Analytics, readReplies } from './analytics/analytics';
export type { AnalyticsOptions, AnalyticsRequestInput, AnalyticsResult, NodeAnalytics, AnalyticsPrivacy } from './analytics/analytics';
export { globalStandardization } from './analytics/global-standardization';
export type { GlobalStandardizeStep } from './analytics/global-standardization';
export { finishStatistic, poolStatistic } from './analytics/pool';
export type { NodeNames, StatisticPart, StatisticValue } from './analytics/pool';
export { quantilesFromHistogram } from './analytics/quantiles';
export type { QuantileEstimate } from './analytics/quantiles';
export { mergeMoments } from './moments';
export type { MomentLayout, MomentsPart } from './moments';

/**** Node selection ****/
export { applySelection, selectAll, selectFraction, selectWith } from './node-selection';
export type { NodeSelection, SelectionContext, SelectNodes } from './node-selection';
export { SeededRandom } from './seeded-random';

/**** Discovery and approval ****/
export { getPlanStatus, requestPlanApproval, searchDatasets } from './discovery';
export type { DatasetMatch, NodePlanStatus, SearchResult } from './discovery';
export type { EnsureApprovedOptions } from './approval';
export { waitForNodes } from './wait-for-nodes';
export type { WaitForNodesOptions } from './wait-for-nodes';

/**** Federation (the transport as the experiment sees it) ****/
export { createTransportFederation } from './transport-federation';
export type { RequestChannel } from './transport-federation';
export type {
  AnalyticsFederation,
  AnalyticsTask,
  Federation,
  FederationEvent,
  FederationNode,
  EvaluateTask,
  FeatureStatisticsTask,
  NodeOutcome,
  RequestOptions,
  SecAggSetupTask,
  SecureAggregationChannel,
  Standardization,
  TrainOutcome,
  TrainTask,
} from './federation';
export { secureWeighting, type SecureAggregationOptions } from './secure-round';

/**** Breakpoints ****/
export { FileBreakpointStore } from './breakpoints/breakpoint-store';
export type { FileBreakpointStoreOptions } from './breakpoints/breakpoint-store';
export type { BreakpointStore } from './breakpoints/breakpoint-store';
export type { ExperimentSnapshot } from './experiment-snapshot';

/**** Monitoring ****/
export { EVENTS_FILE, ExperimentMonitor } from './monitoring/experiment-monitor';
export type { ExperimentMonitorOptions } from './monitoring/experiment-monitor';
export { ALL_NODES, metricsCsv, metricsJson, privacyValues } from './monitoring/metrics-files';
export { DEFAULT_PRIVACY_DELTA, describeRoundPrivacy, nodePrivacy, serverPrivacy } from './privacy-report';
export type { NodePrivacy, RoundPrivacyReport, ServerPrivacy } from './privacy-report';
export { nodeLabels } from './monitoring/node-labels';
export type { NodeIdentity } from './monitoring/node-labels';
export { TensorBoardWriter } from './monitoring/tensorboard-writer';
export type { TensorBoardWriterOptions } from './monitoring/tensorboard-writer';
export { TensorBoardEventCodec } from './monitoring/tensorboard-event';
export type { TensorBoardEvent } from './monitoring/tensorboard-event';
export { decodeTfRecords, encodeTfRecord, maskedCrc32c } from './monitoring/tfrecord';

/**** Defences against malicious nodes ****/
export { MAX_UPDATE_NORM_RATIO } from './update-norm';

/**** Errors ****/
export { RESEARCHER_ERROR_CODES, ResearcherError } from './errors';
export type { ResearcherErrorCode } from './errors';

/**** Hierarchical aggregation ****/
export { startIntermediateAggregator } from './hierarchy/aggregator';
export type { IntermediateAggregator, IntermediateAggregatorOptions } from './hierarchy/aggregator';
export type { SubtreeWeighting } from './hierarchy/subtree-mean';
