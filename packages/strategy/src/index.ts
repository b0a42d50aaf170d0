// Public API of @fedbiomed/strategy. Everything else is internal.

// --- Errors ---
export { StrategyError, StrategyErrorCode } from './errors';
export type { StrategyErrorLocation } from './errors';

// --- Parameters: named tensors ↔ flat vectors ---
export { createLayout, flattenTensors, unflattenTensors, locateFlatIndex, computeDelta, applyDelta } from './parameters';
export type { NamedTensor, TensorSlot, ParameterLayout } from './parameters';

// --- The Strategy contract ---
export type {
  FitResult,
  FitFailure,
  EvaluateResult,
  ConfigValue,
  FitInstruction,
  GlobalModel,
  FitReplies,
  DroppedReply,
  FitAggregate,
  EvaluateAggregate,
  StrategyLogger,
  JsonValue,
  StateValue,
  StrategySnapshot,
  Strategy,
} from './types';

// --- Randomness ---
export { createSeededRng, createCryptoRng } from './rng';
export type { Rng } from './rng';

// --- Validation and helpers for third-party strategies ---
export { validateFitResult, acceptValidReplies, findNonFinite } from './validation';
export type { InvalidReplyPolicy, ReplyExpectation, AcceptOptions } from './validation';
export { parseConfig } from './config';
export type { ConfigSchema } from './config';
export { encodeFloat32, decodeFloat32 } from './state-codec';
export { WeightedMeanAccumulator } from './math/weighted-mean';
export type { WeightedInput, NonFiniteHandler } from './math/weighted-mean';
export { coordinateMedian, trimmedMean, meanAroundMedian } from './math/coordinate-wise';
export { pairwiseSquaredDistances, krumScores, selectByKrum } from './math/krum';

// --- Built-in strategies ---
export { FedAvg, FedAvgConfigSchema, BaseConfigSchema, WEIGHTINGS, weightingField, aggregateEvaluateMetrics } from './strategies/fedavg';
export type { FedAvgConfig, StrategyDeps, OpenRound, ValidReplies, Weighting } from './strategies/fedavg';
export { FedProx, FedProxConfigSchema, FEDPROX_MU_KEY } from './strategies/fedprox';
export type { FedProxConfig } from './strategies/fedprox';
export { Scaffold, ScaffoldConfigSchema, SCAFFOLD_SERVER_CONTROL, SCAFFOLD_NODE_CONTROL } from './strategies/scaffold';
export type { ScaffoldConfig } from './strategies/scaffold';
export { FedAvgM, FedAvgMConfigSchema, FedOpt, FedOptConfigSchema, FedAdagrad, FedAdam, FedYogi } from './strategies/server-optimizers';
export type { FedAvgMConfig, FedOptConfig } from './strategies/server-optimizers';
export {
  FedMedian,
  FedMedianConfigSchema,
  FedTrimmedAvg,
  FedTrimmedAvgConfigSchema,
  Krum,
  KrumConfigSchema,
  Bulyan,
  BulyanConfigSchema,
} from './strategies/robust';
export type { FedTrimmedAvgConfig, KrumConfig, BulyanConfig } from './strategies/robust';

// --- Differential privacy ---
export { clipByL2Norm, addGaussianNoise, l2Norm } from './dp/clipping';
export {
  DifferentialPrivacyServerSideFixedClipping,
  DifferentialPrivacyServerSideAdaptiveClipping,
  DpFixedClippingConfigSchema,
  DpAdaptiveClippingConfigSchema,
} from './dp/server-side';
export type { DpFixedClippingConfig, DpAdaptiveClippingConfig } from './dp/server-side';
export { computeRdp, rdpToEpsilon, computeDpEpsilon, DEFAULT_RDP_ORDERS } from './dp/rdp-accountant';
export type { RdpConversion, PrivacySpent, DpAccountingInput } from './dp/rdp-accountant';

// --- Registry ---
export { StrategyRegistry, createStrategyRegistry, registerBuiltinStrategies } from './registry';
export type { StrategyFactory, StrategyFactoryContext } from './registry';

// --- Conformance suite for third-party strategies ---
export { runStrategyConformance } from './conformance';
export type { ConformanceOptions } from './conformance';
