/**
 * Training runtime of Fed-BioMed TS: training plans as data, the local training loop, metrics,
 * model export and tfjs backend selection.
 * @packageDocumentation
 */

import './quiet-tfjs';

/**** Errors ****/
export { TrainingError, TrainingErrorCode } from './errors';

/**** Training plans ****/
export { lossRefSchema, metricNameSchema, OPTIMIZER_NAMES, PLAN_FORMAT_VERSION, PLAN_KIND } from './plan/plan-spec';
export type { MetricName, OptimizerName, OptimizerSpec, PlanSpec, PreprocessingRef } from './plan/plan-spec';
export { buildPlan, encodePlan } from './plan/build-plan';
export type { BuiltPlan, PlanConfig } from './plan/build-plan';
export { checkPlanFitsDataset, validatePlan } from './plan/validate-plan';
export type { DatasetShape, ValidatedPlan, ValidatePlanOptions } from './plan/validate-plan';
export { planToModel } from './plan/plan-model';
export { PREPROCESSING_NAMES, STANDARDIZE_STATISTICS, standardizeStep } from './plan/preprocessing';
export type { StandardizeStatistics, StandardizeStep } from './plan/preprocessing';
export { formatPlanSummary, summarizePlan } from './plan/plan-summary';
export type { LayerSummary, PlanSummary } from './plan/plan-summary';
export { canonicalJson, sha256Hex } from './plan/canonical-json';
export { checkPluginsInstalled, planPluginSchema, planPluginsSchema, pluginId } from './plan/plan-plugins';
export type { PlanPlugin } from './plan/plan-plugins';

/**** Federated analytics queries ****/
export {
  ANALYTICS_QUERY_FORMAT,
  ANALYTICS_QUERY_KIND,
  ANALYTICS_QUERY_VERSION,
  analyticsQueryInputSchema,
  buildAnalyticsQuery,
  describeAnalyticsQuery,
  readAnalyticsQuery,
  statisticRequestSchema,
} from './analytics/query';
export type { AnalyticsQuery, AnalyticsQueryInput, BuiltAnalyticsQuery, FeatureRef, StatisticKind, StatisticRequest } from './analytics/query';

/**** Plug-ins: losses, metrics and layers from npm packages ****/
export { definePlugin, pluginItemName } from './plugins/plugin';
export type { FedbiomedPlugin, PluginDefinition, PluginLayerClass } from './plugins/plugin';
export { findPlugin, registeredPlugins, registerPlugin } from './plugins/plugin-registry';
export type { RegisteredPlugin } from './plugins/plugin-registry';
export { checkTrainingLimits, describeTrainingLimits, trainingLimitsSchema } from './plan/training-limits';
export type { LimitedArgs, LimitViolation, TrainingLimits } from './plan/training-limits';

/**** Weights ****/
export {
  assignWeights,
  checkWeights,
  flattenWeights,
  readWeights,
  readWeightsAsync,
  unflattenWeights,
  weightSpecs,
  weightsSha256,
} from './weights';
export type { ModelWeights, WeightSpec, WeightTensor } from './weights';

/**** Local training ****/
export { trainLocal } from './loop/train-local';
export type { LocalTrainingArgs, ScalarEvent, TrainLocalOptions, TrainLocalResult } from './loop/train-local';
export { resolveOptimizer } from './loop/optimizers';
export { dpMechanism, resolveDp } from './loop/privacy';
export type { DpMechanism, DpMode, DpRoundShape, ResolvedDp } from './loop/privacy';
export { denseChain, privateBatchGradients, vectorisedBatchGradients } from './loop/dp-sgd';
export type { DenseChain, DpSgdSettings, ExampleLoss } from './loop/dp-sgd';
export type { OptimizerSlot, OptimizerState } from './loop/optimizer-state';
export { evaluateModel } from './loop/evaluate';
export type { EvaluateOptions, Evaluation, MetricSet } from './loop/evaluate';
export type { TrainingDataset } from './loop/training-dataset';

/**** Data parallelism (wasm, worker threads) ****/
export { DataParallelTraining } from './parallel/data-parallel';
export type { BatchGradients, ParallelRound } from './parallel/data-parallel';

/**** Losses and metrics: registries ****/
export { EXACT_VERSION_PATTERN, EXTENSION_NAME_PATTERN, NPM_PACKAGE_PATTERN, splitNamespacedName } from './extension-registry';
export type { NamespacedName } from './extension-registry';
export { getLoss, lossNames, registerLoss, resolveLoss } from './losses/loss-registry';
export type { LossDefinition, LossOutputs, LossRef, LossTarget, ResolvedLoss } from './losses/loss-definition';
export { getMetric, metricNames, registerMetric } from './metrics/metric-registry';
export type {
  ClassPredictions,
  MetricDefinition,
  MetricDefinitionOf,
  MetricInputs,
  MetricNeeds,
  SurvivalPredictions,
  ValuePredictions,
} from './metrics/metric-definition';

/**** Metrics ****/
export { accuracy, balancedAccuracy, f1, precision, recall, rocAuc, rocAucOvr } from './metrics/classification';
export type { Average, Labels } from './metrics/classification';
export { explainedVariance, meanAbsoluteError, meanSquaredError, r2 } from './metrics/regression';
export { concordanceIndex, concordancePairs } from './metrics/survival';
export type { ConcordancePairs } from './metrics/survival';
export { computeConcordanceHistogram, computeMetrics, computeScoreHistograms, POOLABLE_RANKING_METRIC, POOLABLE_SURVIVAL_METRIC } from './metrics/compute-metrics';
export {
  concordanceBinningProblem,
  concordanceHistogram,
  concordanceHistogramProblem,
  DEFAULT_CONCORDANCE_BINNING,
  evenEdges,
  logEdges,
  MAX_CONCORDANCE_EDGES,
  pooledConcordanceIndex,
} from './metrics/concordance-histogram';
export type { ConcordanceBinning, ConcordanceHistogram, PooledConcordance } from './metrics/concordance-histogram';
export { pooledRocAuc, scoreHistogram, SCORE_HISTOGRAM_BINS } from './metrics/score-histogram';
export type { PooledRocAuc, ScoreHistogram } from './metrics/score-histogram';
export type { Predictions } from './metrics/compute-metrics';

/**** Export ****/
export { fileSystemHandler, loadModel, saveModel } from './io/file-io';
export type { SaveModelOptions } from './io/file-io';
export {
  checkPreprocessingManifest,
  PREPROCESSING_FILE,
  PREPROCESSING_FORMAT_VERSION,
  preprocessingManifestSchema,
  readPreprocessing,
  STANDARDIZE_LAYER_NAME,
  withPreprocessing,
} from './io/preprocessing-file';
export type { PreprocessingManifest } from './io/preprocessing-file';

/**** Backends ****/
export { selectBackend } from './backends/select-backend';
export type { BackendAttempt, BackendKind, BackendSelection, SelectBackendOptions } from './backends/select-backend';
export { registerWasmKernels, WASM_KERNEL_NAMES, wasmSimdKernelsActive } from './backends/wasm-kernels';

/**** Compression ****/
export * from './compression';
