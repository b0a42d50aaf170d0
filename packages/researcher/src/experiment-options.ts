import { randomInt } from 'node:crypto';
import type { TrainingArgs, TrainingPlan__Output } from '@fedbiomed/proto';
import type { Strategy } from '@fedbiomed/strategy';
import type { BreakpointStore } from './breakpoints/breakpoint-store';
import { ResearcherError } from './errors';
import type { Federation } from './federation';
import type { LearningRateSchedule } from './learning-rate-schedule';
import { selectAll, type NodeSelection } from './node-selection';
import { resolveSecureAggregation, type SecureAggregationOptions } from './secure-round';

/** A plan as `@fedbiomed/training`'s `buildPlan` returns it: wire form and initial weights. */
export interface ExperimentPlan {
  readonly plan: TrainingPlan__Output;
  readonly initialWeights: readonly { readonly name: string; readonly shape: readonly number[]; readonly values: Float32Array }[];
}

/** Options of `new Experiment(...)`. The collaborators (server, strategy, store) are received, never built. */
export interface ExperimentOptions {
  /** A node takes part when it holds a dataset carrying every one of these tags. */
  readonly tags: readonly string[];
  /** Restrict the experiment to these node ids (default: every connected node). */
  readonly nodes?: readonly string[];
  readonly plan: ExperimentPlan;
  readonly strategy: Strategy;
  /** Total number of rounds `run()` goes to. */
  readonly rounds: number;
  /**
   * Training arguments sent to every node (the strategy may add to them, e.g. FedProx's μ);
   * `Experiment.setTrainingArgs` changes them between rounds. They must fit the plan's limits.
   */
  readonly trainingArgs: TrainingArgs;
  /**
   * The learning rate of each round (`stepDecay`, `exponentialDecay`, `cosineDecay`), sent as
   * `trainingArgs.optimizer.learningRate`; saved in breakpoints. Every round's rate must lie in the
   * plan's `limits.learningRate` range.
   */
  readonly learningRateSchedule?: LearningRateSchedule;
  /** Default: every candidate each round. */
  readonly nodeSelection?: NodeSelection;
  /**
   * Secure aggregation (SecAgg / SecAgg+, `@fedbiomed/secagg`): each node sends its update masked,
   * and the researcher unmasks only the weighted sum. `true` or options; `trainingArgs.secureAggregation`
   * turns it on with the defaults. Only strategies that need the sum alone can run under it.
   */
  readonly secureAggregation?: boolean | SecureAggregationOptions;
  /** A round succeeds when at least this many nodes reply in time (default 1). */
  readonly minNodes?: number;
  /** How long a round waits for replies (default 10 minutes). */
  readonly roundTimeoutMs?: number;
  /** How long discovery and approval requests wait (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Fraction of each node's data held out for testing (overrides `trainingArgs.testRatio`). */
  readonly testRatio?: number;
  /** Metrics computed on each node's test split (overrides `trainingArgs.metrics`). */
  readonly metrics?: readonly string[];
  /** Save a breakpoint after each round (default: true when `experimentDir` is set). */
  readonly saveBreakpoints?: boolean;
  /** Folder for breakpoints, metrics (CSV, JSON) and TensorBoard files; nothing is written without it. */
  readonly experimentDir?: string;
  /** The transport, usually `createTransportFederation(server)`. */
  readonly server: Federation;
  /** Default: `new FileBreakpointStore(<experimentDir>/breakpoints)`. */
  readonly breakpointStore?: BreakpointStore;
  /** Seed of node selection and, unless `trainingArgs.randomSeed` is set, of the nodes' shuffling. */
  readonly seed?: number;
  readonly experimentId?: string;
  /** Clock for timings; injectable for tests. */
  readonly now?: () => number;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  readonly experimentId: string;
  readonly tags: readonly string[];
  readonly nodes: readonly string[] | undefined;
  readonly rounds: number;
  readonly trainingArgs: TrainingArgs;
  readonly nodeSelection: NodeSelection;
  readonly minNodes: number;
  readonly roundTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly seed: number;
  readonly experimentDir: string | undefined;
  readonly saveBreakpoints: boolean;
  /** Secure-aggregation settings, `undefined` when updates travel in the clear. */
  readonly secureAggregation: (SecureAggregationOptions & { readonly clipRange: number }) | undefined;
}

/** Applies defaults and rejects out-of-range options, naming the option. */
export function resolveOptions(options: ExperimentOptions): ResolvedOptions {
  const fail = (message: string): never => {
    throw new ResearcherError('INVALID_OPTION', `new Experiment: ${message}`);
  };
  if (!Array.isArray(options.tags) || options.tags.length === 0 || options.tags.some((t) => typeof t !== 'string' || t === '')) {
    fail('tags must be a non-empty list of non-empty strings');
  }
  if (!Number.isInteger(options.rounds) || options.rounds < 1) fail(`rounds must be a positive integer, got ${options.rounds}`);
  const minNodes = options.minNodes ?? 1;
  if (!Number.isInteger(minNodes) || minNodes < 1) fail(`minNodes must be a positive integer, got ${minNodes}`);
  const roundTimeoutMs = options.roundTimeoutMs ?? 600_000;
  if (!(roundTimeoutMs > 0)) fail(`roundTimeoutMs must be positive, got ${roundTimeoutMs}`);
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  if (!(requestTimeoutMs > 0)) fail(`requestTimeoutMs must be positive, got ${requestTimeoutMs}`);
  if (options.testRatio !== undefined && !(options.testRatio >= 0 && options.testRatio < 1)) {
    fail(`testRatio must be in [0, 1), got ${options.testRatio}`);
  }
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  if (!Number.isInteger(seed)) fail(`seed must be an integer, got ${seed}`);
  const trainingArgs: TrainingArgs = {
    ...options.trainingArgs,
    ...(options.testRatio !== undefined ? { testRatio: options.testRatio } : {}),
    ...(options.metrics !== undefined ? { metrics: [...options.metrics] } : {}),
    randomSeed: options.trainingArgs.randomSeed ?? seed,
  };
  return {
    experimentId: options.experimentId ?? `exp-${Date.now().toString(36)}-${randomInt(0, 2 ** 31).toString(36)}`,
    tags: [...options.tags],
    nodes: options.nodes === undefined ? undefined : [...options.nodes],
    rounds: options.rounds,
    trainingArgs,
    nodeSelection: options.nodeSelection ?? selectAll(),
    minNodes,
    roundTimeoutMs,
    requestTimeoutMs,
    seed,
    experimentDir: options.experimentDir,
    saveBreakpoints: options.saveBreakpoints ?? options.experimentDir !== undefined,
    secureAggregation: resolveSecureAggregation(options.secureAggregation, options.trainingArgs.secureAggregation === true),
  };
}
