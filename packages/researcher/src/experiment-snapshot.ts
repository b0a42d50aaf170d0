import type { TrainingArgs, TrainingPlan__Output } from '@fedbiomed/proto';
import type { StrategySnapshot } from '@fedbiomed/strategy';
import { ResearcherError } from './errors';
import type { RoundResult } from './experiment-results';
import type { LearningRateSchedule } from './learning-rate-schedule';
import type { SecureAggregationOptions } from './secure-round';
import type { PooledStandardization } from './standardization';

/** Version of the breakpoint content below; bumped on any incompatible change. */
export const SNAPSHOT_VERSION = 1;

/** Everything a resumed experiment needs, as saved after each round. */
export interface ExperimentSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly experimentId: string;
  /** Rounds completed. */
  readonly round: number;
  readonly options: {
    readonly tags: readonly string[];
    readonly nodes: readonly string[] | null;
    readonly rounds: number;
    /** As last set by `setTrainingArgs`, without the schedule's learning rate. */
    readonly trainingArgs: TrainingArgs;
    readonly learningRateSchedule?: LearningRateSchedule;
    readonly nodeSelection: Record<string, unknown>;
    readonly minNodes: number;
    readonly roundTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly seed: number;
    /**
     * The `secureAggregation` option as resolved: its settings, or `null` when updates travel in
     * the clear. Absent in breakpoints saved before it was kept: the training-args flag decides.
     */
    readonly secureAggregation?: (SecureAggregationOptions & { readonly clipRange: number }) | null;
  };
  readonly plan: TrainingPlan__Output;
  readonly layout: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly weights: Float32Array;
  readonly strategy: StrategySnapshot;
  /** State of the seeded generator that draws node selections. */
  readonly rngState: number;
  /** Nodes selected in each completed round. */
  readonly selectionHistory: readonly (readonly string[])[];
  readonly results: readonly RoundResult[];
  /** The pooled standardisation the nodes apply (federated statistics); absent when there is none. */
  readonly standardization?: PooledStandardization;
}

/** Checks the shape of a loaded breakpoint before anything trusts it. */
export function checkSnapshot(value: unknown, where: string): ExperimentSnapshot {
  const snapshot = value as Partial<ExperimentSnapshot> | null;
  const fail = (what: string): never => {
    throw new ResearcherError('BREAKPOINT_INVALID', `breakpoint in ${where}: ${what}`);
  };
  if (snapshot === null || typeof snapshot !== 'object') return fail('not an object');
  if (snapshot.version !== SNAPSHOT_VERSION) return fail(`version ${String(snapshot.version)}, this SDK reads ${SNAPSHOT_VERSION}`);
  if (typeof snapshot.experimentId !== 'string') return fail('experimentId is missing');
  if (typeof snapshot.round !== 'number') return fail('round is missing');
  if (!(snapshot.weights instanceof Float32Array)) return fail('global weights are missing');
  if (snapshot.options === undefined || snapshot.plan === undefined || snapshot.strategy === undefined) return fail('options, plan or strategy is missing');
  if (!Array.isArray(snapshot.layout) || !Array.isArray(snapshot.results) || !Array.isArray(snapshot.selectionHistory)) {
    return fail('layout, results or selection history is missing');
  }
  const problem = optionsProblem(snapshot.options as unknown as Record<string, unknown>) ?? standardizationProblem(snapshot.standardization);
  if (problem !== undefined) return fail(problem);
  return snapshot as ExperimentSnapshot;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isNumberList = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'number');

/** The first saved option whose type is not the one resume passes on, named with what it holds. */
function optionsProblem(options: Record<string, unknown>): string | undefined {
  if (!isObject(options)) return 'options is not an object';
  const named = (field: string, expected: string): string => `options.${field} must be ${expected}, got ${JSON.stringify(options[field])}`;
  if (!isStringList(options['tags'])) return named('tags', 'a list of strings');
  if (options['nodes'] !== null && !isStringList(options['nodes'])) return named('nodes', 'null or a list of node ids');
  for (const field of ['rounds', 'minNodes', 'roundTimeoutMs', 'requestTimeoutMs', 'seed']) {
    if (typeof options[field] !== 'number') return named(field, 'a number');
  }
  for (const field of ['trainingArgs', 'nodeSelection']) {
    if (!isObject(options[field])) return named(field, 'an object');
  }
  if (options['learningRateSchedule'] !== undefined && !isObject(options['learningRateSchedule'])) return named('learningRateSchedule', 'an object');
  const secure = options['secureAggregation'];
  if (secure === undefined || secure === null) return undefined;
  if (!isObject(secure)) return named('secureAggregation', 'null or an object');
  for (const [key, value] of Object.entries(secure)) {
    if (!['clipRange', 'neighbours', 'threshold'].includes(key)) return `options.secureAggregation.${key} is not a secure-aggregation setting`;
    if (typeof value !== 'number') return `options.secureAggregation.${key} must be a number, got ${JSON.stringify(value)}`;
  }
  return typeof secure['clipRange'] === 'number' ? undefined : 'options.secureAggregation.clipRange is missing';
}

function standardizationProblem(saved: unknown): string | undefined {
  if (saved === undefined) return undefined;
  if (!isObject(saved) || typeof saved['sampleCount'] !== 'number' || !isNumberList(saved['mean']) || !isNumberList(saved['scale'])) {
    return `standardization must hold sampleCount, mean and scale, got ${JSON.stringify(saved)}`;
  }
  return undefined;
}
