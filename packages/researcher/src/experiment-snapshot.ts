import type { TrainingArgs, TrainingPlan__Output } from '@fedbiomed/proto';
import type { StrategySnapshot } from '@fedbiomed/strategy';
import { ResearcherError } from './errors';
import type { RoundResult } from './experiment-results';
import type { LearningRateSchedule } from './learning-rate-schedule';
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
  return snapshot as ExperimentSnapshot;
}
