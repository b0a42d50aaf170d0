import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { TrainingArgs, TrainingPlan__Output } from '@fedbiomed/proto';
import { DEFAULT_CONCORDANCE_BINNING, POOLABLE_SURVIVAL_METRIC, type ConcordanceBinning, type StandardizeStep } from '@fedbiomed/training';
import { createLayout, createStrategyRegistry, flattenTensors, type ParameterLayout, type Strategy } from '@fedbiomed/strategy';
import { awaitApproval, type EnsureApprovedOptions } from './approval';
import { FileBreakpointStore, type BreakpointStore } from './breakpoints/breakpoint-store';
import {
  getPlanStatus,
  onlineTargets,
  requestPlanApproval,
  searchDatasets,
  type DatasetMatch,
  type NodePlanStatus,
  type SearchResult,
} from './discovery';
import { ResearcherError } from './errors';
import type { ExperimentEvent } from './experiment-events';
import { resolveOptions, type ExperimentOptions, type ResolvedOptions } from './experiment-options';
import type { EvaluationResult, NodeFailure, RoundResult, StandardizationResult } from './experiment-results';
import { checkSnapshot, SNAPSHOT_VERSION, type ExperimentSnapshot } from './experiment-snapshot';
import type { Federation, FederationEvent } from './federation';
import { buildGlobalModel, exportGlobalModel } from './global-model';
import { poolRankingMetrics, type NodeHistograms } from './pooled-metrics';
import { aggregateMetrics } from './metric-aggregation';
import { ExperimentMonitor } from './monitoring/experiment-monitor';
import { applySelection, describeSelection, type NodeSelection } from './node-selection';
import { DEFAULT_PRIVACY_DELTA, serverPrivacy } from './privacy-report';
import { runRound, type RoundInput } from './round-runner';
import { secureWeighting } from './secure-round';
import { RoundTrainingArgs } from './round-training-args';
import { SeededRandom } from './seeded-random';
import { planStandardizeStep, poolFeatureStatistics, standardizationOf, type PooledStandardization } from './standardization';
import { Subscribable } from './subscribable';

/** What `Experiment.resume` needs besides the folder: the collaborators, which are never saved. */
export interface ResumeCollaborators {
  readonly server: Federation;
  /**
   * A strategy of the saved kind; its state is loaded from the breakpoint. Default: the built-in
   * strategy of the saved name and config, rebuilt by `@fedbiomed/strategy`'s registry.
   */
  readonly strategy?: Strategy;
  /** Required when the experiment used a custom selection function. */
  readonly nodeSelection?: NodeSelection;
  /** Default: `new FileBreakpointStore(<dir>/breakpoints)`. */
  readonly breakpointStore?: BreakpointStore;
  /** Raise the total number of rounds. */
  readonly rounds?: number;
  readonly now?: () => number;
}

/**
 * A federated training experiment: finds the nodes holding datasets with the given tags, then runs
 * rounds (select nodes, send the plan and global weights, collect replies, aggregate with the
 * strategy), saving a breakpoint and monitoring files after each round when it has a folder.
 *
 * @example
 * ```ts
 * const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 5,
 *   trainingArgs: { numUpdates: 100, batchSize: 4 }, server: createTransportFederation(server) });
 * const stop = experiment.subscribe((e) => e.type === 'round-completed' && console.log(e.result.metricsBefore));
 * await experiment.run();
 * ```
 */
export class Experiment {
  readonly #options: ResolvedOptions;
  readonly #federation: Federation;
  readonly #strategy: Strategy;
  readonly #plan: TrainingPlan__Output;
  readonly #layout: ParameterLayout;
  readonly #store: BreakpointStore | undefined;
  readonly #now: () => number;
  readonly #events = new Subscribable<ExperimentEvent>();
  readonly #datasets = new Map<string, DatasetMatch>();
  readonly #standardizeStep: StandardizeStep | undefined;
  readonly #trainingArgs: RoundTrainingArgs;
  readonly #secureAggregation: RoundInput['secureAggregation'];
  #standardization: PooledStandardization | undefined;
  /** Nodes whose operator rejected the plan (seen by `ensureApproved`): never selected, never evaluated. */
  readonly #rejectedBy = new Set<string>();
  #weights: Float32Array;
  #round = 0;
  #random: SeededRandom;
  #selectionHistory: string[][] = [];
  #results: RoundResult[] = [];
  #running = false;
  #currentRound = 0;
  #monitor: ExperimentMonitor | undefined;
  #stopFederationEvents: (() => void) | undefined;

  constructor(options: ExperimentOptions) {
    this.#options = resolveOptions(options);
    this.#federation = options.server;
    this.#strategy = options.strategy;
    this.#plan = options.plan.plan;
    this.#layout = createLayout(options.plan.initialWeights);
    this.#standardizeStep = planStandardizeStep(this.#plan);
    // Global statistics are part of the plan (and of its approval): nothing to gather.
    if (this.#standardizeStep?.statistics === 'global') {
      const { sampleCount, mean, scale } = this.#standardizeStep;
      this.#standardization = { sampleCount, mean: [...mean], scale: [...scale] };
    }
    this.#trainingArgs = new RoundTrainingArgs(this.#options.trainingArgs, options.learningRateSchedule, this.#plan);
    this.#trainingArgs.checkLimits(1, this.#options.rounds, 'new Experiment');
    const secure = this.#options.secureAggregation;
    this.#secureAggregation = secure === undefined ? undefined : { settings: secure, weighting: secureWeighting(this.#strategy) };
    this.#weights = this.#strategy.initialParameters(this.#layout) ?? flattenTensors(this.#layout, options.plan.initialWeights);
    this.#random = new SeededRandom(this.#options.seed);
    this.#now = options.now ?? Date.now;
    const dir = this.#options.experimentDir;
    this.#store = this.#options.saveBreakpoints
      ? (options.breakpointStore ?? (dir !== undefined ? new FileBreakpointStore(join(dir, 'breakpoints')) : undefined))
      : undefined;
    if (this.#options.saveBreakpoints && this.#store === undefined) {
      throw new ResearcherError('INVALID_OPTION', 'new Experiment: saveBreakpoints needs experimentDir or breakpointStore');
    }
  }

  /**
   * Rebuilds an experiment from the last breakpoint in `dir` (its `experimentDir`) and the
   * collaborators; `run()` then goes on from the next round with the same weights, strategy state
   * and random draws as the interrupted run.
   */
  static async resume(dir: string, collaborators: ResumeCollaborators): Promise<Experiment> {
    const store = collaborators.breakpointStore ?? new FileBreakpointStore(join(dir, 'breakpoints'));
    const latest = await store.loadLatest();
    if (latest === undefined) throw new ResearcherError('BREAKPOINT_INVALID', `no breakpoint in ${dir}`);
    const snapshot = checkSnapshot(latest.state, dir);
    const strategy = collaborators.strategy ?? createStrategyRegistry().restoreStrategy(snapshot.strategy);
    if (snapshot.strategy.strategyName !== strategy.strategyName) {
      throw new ResearcherError(
        'BREAKPOINT_INVALID',
        `breakpoint in ${dir} was saved by strategy '${snapshot.strategy.strategyName}', resume was given '${strategy.strategyName}'`,
      );
    }
    const selection = restoreSelection(snapshot.options.nodeSelection, collaborators.nodeSelection, dir);
    const secure = snapshot.options.secureAggregation;
    const experiment = rethrowAsBreakpointInvalid(dir, () => new Experiment({
      experimentId: snapshot.experimentId,
      tags: snapshot.options.tags,
      ...(snapshot.options.nodes !== null ? { nodes: snapshot.options.nodes } : {}),
      plan: { plan: snapshot.plan, initialWeights: unflatten(snapshot.layout, snapshot.weights) },
      strategy,
      rounds: collaborators.rounds ?? snapshot.options.rounds,
      trainingArgs: snapshot.options.trainingArgs,
      ...(snapshot.options.learningRateSchedule !== undefined && { learningRateSchedule: snapshot.options.learningRateSchedule }),
      nodeSelection: selection,
      minNodes: snapshot.options.minNodes,
      roundTimeoutMs: snapshot.options.roundTimeoutMs,
      requestTimeoutMs: snapshot.options.requestTimeoutMs,
      seed: snapshot.options.seed,
      // Absent from older breakpoints: the saved training-args flag then decides, as it did.
      ...(secure !== undefined && { secureAggregation: secure ?? false }),
      experimentDir: dir,
      saveBreakpoints: true,
      server: collaborators.server,
      breakpointStore: store,
      ...(collaborators.now !== undefined ? { now: collaborators.now } : {}),
    }));
    if (collaborators.strategy !== undefined) strategy.loadState(snapshot.strategy.state);
    experiment.#weights = snapshot.weights;
    experiment.#round = snapshot.round;
    experiment.#random = SeededRandom.fromState(snapshot.rngState);
    experiment.#selectionHistory = snapshot.selectionHistory.map((ids) => [...ids]);
    experiment.#results = [...snapshot.results];
    experiment.#standardization = snapshot.standardization ?? experiment.#standardization;
    return experiment;
  }

  /** Identifies the experiment to nodes and in its files. */
  get id(): string {
    return this.#options.experimentId;
  }

  /** Rounds completed so far. */
  get round(): number {
    return this.#round;
  }

  /** Total rounds `run()` goes to. */
  get rounds(): number {
    return this.#options.rounds;
  }

  /** The training arguments the next round sends, the schedule's learning rate included. */
  get trainingArgs(): TrainingArgs {
    return this.#trainingArgs.forRound(Math.min(this.#round + 1, this.#options.rounds), this.#options.rounds);
  }

  /**
   * Changes the training arguments from the next round on (a round already running keeps its own):
   * `partial` is merged into them (`optimizer` field by field) and saved in the next breakpoint, so
   * a resumed experiment keeps it. Throws `INVALID_OPTION`, changing nothing, for a malformed value,
   * a change of `testRatio` or `randomSeed` (they fix the nodes' splits), a learning rate while a
   * `learningRateSchedule` sets it, or arguments beyond the plan's limits in any round left.
   */
  setTrainingArgs(partial: Partial<TrainingArgs>): void {
    this.#trainingArgs.update(partial, this.#round + 1, this.#options.rounds);
  }

  /** Every completed round's result, oldest first. */
  get results(): readonly RoundResult[] {
    return this.#results;
  }

  /** The current global weights (a copy), flat in {@link layout}. */
  get weights(): Float32Array {
    return this.#weights.slice();
  }

  /** Names, shapes and offsets of the model's tensors in {@link weights}. */
  get layout(): ParameterLayout {
    return this.#layout;
  }

  /** The training plan sent to nodes. */
  get plan(): TrainingPlan__Output {
    return this.#plan;
  }

  /**
   * The pooled standardisation the nodes apply, once gathered (before the first round, or by
   * {@link fitStandardization}); `undefined` while not gathered or when the plan standardises with
   * each node's own statistics or not at all.
   */
  get standardization(): PooledStandardization | undefined {
    return this.#standardization;
  }

  /** Nodes selected in each completed round. */
  get selectionHistory(): readonly (readonly string[])[] {
    return this.#selectionHistory;
  }

  /** Listens to every event; returns the unsubscribe function. */
  subscribe(listener: (event: ExperimentEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /** The events as an async iterator, ending when the experiment is closed. */
  events(): AsyncIterableIterator<ExperimentEvent> {
    return this.#events.stream();
  }

  /** Asks online nodes for datasets matching the tags and remembers the matches. */
  async discover(): Promise<SearchResult> {
    const result = await searchDatasets(this.#federation, this.#options.tags, this.#requestOptions(this.#options.nodes));
    for (const match of result.matches) this.#datasets.set(match.nodeId, match);
    return result;
  }

  /** Sends the plan to the online nodes for approval; resolves to each node's answer. */
  async requestApproval(description = ''): Promise<NodePlanStatus[]> {
    return requestPlanApproval(this.#federation, this.#plan, { ...this.#requestOptions(this.#options.nodes), description });
  }

  /**
   * Sends the plan for approval to the online nodes holding a matching dataset and waits until at
   * least `minNodes` (default: the experiment's) approved it, polling where it stands every
   * `pollIntervalMs`. Publishes `approval-pending`, `approval-granted` and `approval-rejected`
   * events as nodes' answers change (print how operators approve on `approval-pending`). Nodes whose
   * operator rejected the plan are left out of the rounds. Resolves to every asked node's status;
   * throws `APPROVAL_TIMEOUT` (naming the nodes still pending) after `timeoutMs` (default 10
   * minutes), `APPROVAL_REJECTED` when rejections leave too few nodes, `ABORTED` on `signal`.
   */
  async ensureApproved(options: EnsureApprovedOptions = {}): Promise<NodePlanStatus[]> {
    const minNodes = options.minNodes ?? this.#options.minNodes;
    const timeoutMs = options.timeoutMs ?? 600_000;
    const pollIntervalMs = options.pollIntervalMs ?? 2_000;
    if (!Number.isInteger(minNodes) || minNodes < 1) throw new ResearcherError('INVALID_OPTION', `ensureApproved: minNodes must be a positive integer, got ${minNodes}`);
    if (!(timeoutMs > 0)) throw new ResearcherError('INVALID_OPTION', `ensureApproved: timeoutMs must be positive, got ${timeoutMs}`);
    if (!(pollIntervalMs > 0)) throw new ResearcherError('INVALID_OPTION', `ensureApproved: pollIntervalMs must be positive, got ${pollIntervalMs}`);
    const statuses = await awaitApproval(
      {
        federation: this.#federation,
        plan: this.#plan,
        candidates: () => this.#onlineNodeIds(),
        requestOptions: this.#requestOptions(undefined),
        publish: (event) => this.#publish(event),
        now: this.#now,
      },
      { description: options.description ?? '', timeoutMs, pollIntervalMs, minNodes, ...(options.signal !== undefined && { signal: options.signal }) },
    );
    for (const status of statuses) {
      if (status.status === 'PLAN_STATUS_REJECTED') this.#rejectedBy.add(status.nodeId);
      else this.#rejectedBy.delete(status.nodeId);
    }
    return statuses;
  }

  /** Where the plan stands on each online node. */
  async planStatus(): Promise<NodePlanStatus[]> {
    return getPlanStatus(this.#federation, this.#plan.sha256, this.#requestOptions(this.#options.nodes));
  }

  /**
   * For a plan declaring `standardize` with federated statistics (the default): asks every online
   * node holding a matching dataset for the count, mean and M2 of its train split's features, pools
   * them exactly and keeps the result, which then travels with every train and evaluate request and
   * is saved in breakpoints. The first round and `evaluate()` call it when it has not run. Throws
   * `INVALID_STATE` for a plan without federated standardisation, `STANDARDIZATION_FAILED` when
   * fewer than `minNodes` nodes answered.
   */
  async fitStandardization(options: { signal?: AbortSignal } = {}): Promise<StandardizationResult> {
    if (this.#standardizeStep?.statistics !== 'federated') {
      throw new ResearcherError('INVALID_STATE', `experiment ${this.id}: plan "${this.#plan.name}" declares no standardisation with federated statistics`);
    }
    const { matches, names, split } = await this.#onlineMatches();
    const tasks = matches.map((match) => ({ nodeId: match.nodeId, datasetId: match.dataset.id, plan: this.#plan, ...split }));
    const nodes: StandardizationResult['nodes'][number][] = [];
    const parts: { count: number; mean: readonly number[]; m2: readonly number[] }[] = [];
    const failures: NodeFailure[] = [];
    const requestOptions = { experimentId: this.id, timeoutMs: this.#options.requestTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
    for await (const outcome of this.#federation.featureStatistics(tasks, requestOptions)) {
      const nodeName = names.get(outcome.nodeId) ?? outcome.nodeId;
      if (!outcome.ok) failures.push({ nodeId: outcome.nodeId, nodeName, code: outcome.code, reason: outcome.message });
      else {
        const { datasetId, count, mean, m2 } = outcome.value;
        parts.push({ count: Number(count), mean, m2 });
        nodes.push({ nodeId: outcome.nodeId, nodeName, datasetId, sampleCount: Number(count) });
      }
    }
    if (nodes.length < this.#options.minNodes || nodes.length === 0) {
      const listed = failures.map((f) => `${f.nodeName} (${f.code}: ${f.reason})`).join('; ') || 'none';
      throw new ResearcherError(
        'STANDARDIZATION_FAILED',
        `experiment ${this.id}: ${nodes.length} of ${tasks.length} nodes sent feature statistics, minNodes=${this.#options.minNodes}; failures: ${listed}`,
      );
    }
    nodes.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    this.#standardization = standardizationOf(poolFeatureStatistics(parts));
    return { standardization: this.#standardization, nodes, failures };
  }

  /** Runs the next round; throws `ROUND_FAILED` (model unchanged) when fewer than `minNodes` replied. */
  async runOnce(options: { signal?: AbortSignal } = {}): Promise<RoundResult> {
    if (this.#running) throw new ResearcherError('INVALID_STATE', `experiment ${this.id}: a round is already running`);
    this.#running = true;
    try {
      return await this.#runRound(options.signal);
    } finally {
      this.#running = false;
    }
  }

  /** Runs rounds until `rounds` are completed; resolves to every round's result. */
  async run(options: { signal?: AbortSignal } = {}): Promise<readonly RoundResult[]> {
    while (this.#round < this.#options.rounds) {
      if (options.signal?.aborted === true) throw new ResearcherError('ABORTED', `experiment ${this.id} was aborted`, { cause: options.signal.reason });
      await this.runOnce(options);
    }
    return this.#results;
  }

  /**
   * Measures the current global model on the test split of every online node holding a matching
   * dataset (the split its rounds test on), and aggregates the metrics by sample count. `roc_auc`
   * is also pooled from the nodes' binned scores into `roc_auc_pooled`, and `concordance_index`
   * from the nodes' survival cells under `concordanceBinning` (default
   * `DEFAULT_CONCORDANCE_BINNING`) into `concordance_index_pooled` (see {@link poolRankingMetrics}).
   */
  async evaluate(options: { signal?: AbortSignal; concordanceBinning?: ConcordanceBinning } = {}): Promise<EvaluationResult> {
    await this.#ensureStandardization(options.signal);
    const { matches, names, split } = await this.#onlineMatches();
    const metricNames = this.#trainingArgs.args.metrics ?? [];
    const binning = metricNames.includes(POOLABLE_SURVIVAL_METRIC) ? (options.concordanceBinning ?? DEFAULT_CONCORDANCE_BINNING) : undefined;
    const tasks = matches.map((match) => ({
      nodeId: match.nodeId,
      datasetId: match.dataset.id,
      plan: this.#plan,
      layout: this.#layout,
      weights: this.#weights,
      metrics: metricNames,
      ...split,
      ...this.#standardizationField(),
      ...(binning ? { concordanceBinning: binning } : {}),
    }));
    const nodes: EvaluationResult['nodes'][number][] = [];
    const failures: NodeFailure[] = [];
    const histograms: NodeHistograms[] = [];
    const requestOptions = { experimentId: this.id, timeoutMs: this.#options.roundTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
    for await (const outcome of this.#federation.evaluate(tasks, requestOptions)) {
      const nodeName = names.get(outcome.nodeId) ?? outcome.nodeId;
      if (!outcome.ok) failures.push({ nodeId: outcome.nodeId, nodeName, code: outcome.code, reason: outcome.message });
      else {
        const metrics = { values: { ...(outcome.value.metrics?.values ?? {}) }, sampleCount: outcome.value.metrics?.sampleCount ?? 0 };
        nodes.push({ nodeId: outcome.nodeId, nodeName, datasetId: outcome.value.datasetId, metrics });
        histograms.push({ nodeId: outcome.nodeId, nodeName, histograms: outcome.value.scoreHistograms ?? {}, concordance: outcome.value.concordanceHistogram });
      }
    }
    nodes.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    const { pooled, refused } = poolRankingMetrics(histograms, binning);
    const averaged = aggregateMetrics(nodes.map((node) => node.metrics));
    const pooledValues = Object.fromEntries(Object.entries(pooled).map(([name, metric]) => [name, metric.value]));
    const metrics = { values: { ...averaged.values, ...pooledValues }, sampleCount: averaged.sampleCount };
    return { round: this.#round, nodes, failures: [...failures, ...refused], metrics, pooled };
  }

  /** The current global model as a tfjs LayersModel (the caller disposes it). */
  async model(): Promise<tf.LayersModel> {
    return buildGlobalModel(this.#plan, this.#layout, this.#weights);
  }

  /**
   * Saves the current global model in the tfjs format (`model.json` + `weights.bin`) in `dir`, so
   * that it predicts on raw samples: under federated standardisation the pooled statistics are
   * prepended to the model as a frozen layer and described in `preprocessing.json` beside it.
   * Throws `EXPORT_REFUSED` when the plan standardises with each node's own statistics (no single
   * standardisation exists to export) and `INVALID_STATE` before the federated statistics are gathered.
   */
  async exportModel(dir: string): Promise<void> {
    const step = this.#standardizeStep;
    if (step?.statistics === 'local') {
      throw new ResearcherError(
        'EXPORT_REFUSED',
        `experiment ${this.id}: plan "${this.#plan.name}" standardises with each node's own statistics ('local'); ` +
          `the model would predict nonsense on raw rows outside the federation. Use statistics 'federated' to export it`,
      );
    }
    if (step !== undefined && this.#standardization === undefined) {
      throw new ResearcherError('INVALID_STATE', `experiment ${this.id}: no standardisation statistics yet; run a round or call fitStandardization() first`);
    }
    const standardization =
      this.#standardization === undefined || step === undefined
        ? undefined
        : { ...this.#standardization, statistics: step.statistics === 'global' ? ('global' as const) : ('federated' as const), ...(step.statistics === 'global' && step.query !== undefined && { query: step.query }) };
    await exportGlobalModel(this.#plan, this.#layout, this.#weights, dir, standardization);
  }

  /** Stops listening to the federation, closes the monitoring files and ends event iterators. */
  close(): void {
    this.#stopFederationEvents?.();
    this.#stopFederationEvents = undefined;
    this.#monitor?.close();
    this.#monitor = undefined;
    this.#events.close();
  }

  async #runRound(signal: AbortSignal | undefined): Promise<RoundResult> {
    const round = this.#round + 1;
    if (round > this.#options.rounds) {
      throw new ResearcherError('INVALID_STATE', `experiment ${this.id}: all ${this.#options.rounds} rounds are done`);
    }
    this.#attach();
    const candidates = (await this.#onlineNodeIds()).filter((id) => !this.#rejectedBy.has(id));
    if (candidates.length === 0) {
      throw new ResearcherError('NO_NODES', `experiment ${this.id}: no online node holds a dataset tagged ${this.#options.tags.join(', ')}`);
    }
    await this.#ensureStandardization(signal);
    const selected = applySelection(this.#options.nodeSelection, { round, candidates, random: () => this.#random.next() });
    this.#currentRound = round;
    const { weights, result: trained } = await runRound({
      round,
      experimentId: this.id,
      federation: this.#federation,
      strategy: this.#strategy,
      plan: this.#plan,
      layout: this.#layout,
      weights: this.#weights,
      participants: selected.map((id) => this.#datasets.get(id) as DatasetMatch),
      args: this.#trainingArgs.forRound(round, this.#options.rounds),
      ...this.#standardizationField(),
      ...(this.#secureAggregation !== undefined && { secureAggregation: this.#secureAggregation }),
      minNodes: this.#options.minNodes,
      timeoutMs: this.#options.roundTimeoutMs,
      ...(signal !== undefined ? { signal } : {}),
      publish: (event) => this.#publish(event),
      now: this.#now,
    });
    // The arguments as last set (`setTrainingArgs` may change δ): what a resumed experiment restores.
    const delta = Number(this.#trainingArgs.args.dp?.delta ?? 0) || DEFAULT_PRIVACY_DELTA;
    const earlierRates = this.#results.flatMap((r) => (r.privacy ? [r.privacy.samplingRate] : []));
    const server = serverPrivacy(this.#strategy, candidates.length, earlierRates, delta);
    const result: RoundResult = server ? { ...trained, privacy: server } : trained;
    this.#weights = weights;
    this.#round = round;
    this.#selectionHistory.push(selected);
    this.#results.push(result);
    this.#publish({ type: 'round-completed', result });
    const privateNodes = result.nodes.flatMap((n) => (n.privacy ? [{ nodeId: n.nodeId, nodeName: n.nodeName, datasetId: n.datasetId, privacy: n.privacy }] : []));
    if (server !== undefined || privateNodes.length > 0) this.#publish({ type: 'privacy', round, ...(server && { server }), nodes: privateNodes });
    if (this.#store !== undefined) {
      await this.#store.save(round, this.#snapshot());
      this.#publish({ type: 'breakpoint-saved', round });
    }
    return result;
  }

  /** Online nodes holding a matching dataset (newcomers discovered first), sorted; rejections included. */
  async #onlineNodeIds(): Promise<string[]> {
    await this.#discoverNewcomers();
    const online = new Set(onlineTargets(this.#federation, this.#options.nodes));
    return [...this.#datasets.keys()].filter((id) => online.has(id)).sort();
  }

  /**
   * The online nodes holding a matching dataset whose operator did not reject the plan, and the
   * split their rounds use.
   */
  async #onlineMatches(): Promise<{ matches: DatasetMatch[]; names: Map<string, string>; split: { testRatio: number; randomSeed: number } }> {
    const ids = new Set((await this.#onlineNodeIds()).filter((id) => !this.#rejectedBy.has(id)));
    const matches = [...this.#datasets.values()].filter((match) => ids.has(match.nodeId));
    const args = this.#options.trainingArgs;
    return {
      matches,
      names: new Map(matches.map((match) => [match.nodeId, match.nodeName])),
      split: { testRatio: Number(args.testRatio ?? 0), randomSeed: Number(args.randomSeed ?? this.#options.seed) },
    };
  }

  async #ensureStandardization(signal: AbortSignal | undefined): Promise<void> {
    if (this.#standardizeStep?.statistics === 'federated' && this.#standardization === undefined) {
      await this.fitStandardization(signal !== undefined ? { signal } : {});
    }
  }

  #standardizationField(): { standardization?: { mean: readonly number[]; scale: readonly number[] } } {
    const pooled = this.#standardization;
    // Only federated statistics travel with each request; global ones travel inside the plan.
    if (pooled === undefined || this.#standardizeStep?.statistics !== 'federated') return {};
    return { standardization: { mean: pooled.mean, scale: pooled.scale } };
  }

  async #discoverNewcomers(): Promise<void> {
    const missing = onlineTargets(this.#federation, this.#options.nodes).filter((id) => !this.#datasets.has(id));
    if (missing.length === 0) return;
    const result = await searchDatasets(this.#federation, this.#options.tags, this.#requestOptions(missing));
    for (const match of result.matches) this.#datasets.set(match.nodeId, match);
  }

  /** Subscribes to the federation's scalars and logs and opens the monitoring files, once. */
  #attach(): void {
    if (this.#options.experimentDir !== undefined && this.#monitor === undefined) {
      this.#monitor = new ExperimentMonitor(this.#options.experimentDir, this.id, { resumed: this.#round > 0, nodes: () => this.#datasets.values() });
    }
    if (this.#stopFederationEvents !== undefined) return;
    this.#stopFederationEvents = this.#federation.subscribe((event: FederationEvent) => {
      if (event.type === 'scalar' && event.scalar.experimentId === this.id) {
        const { round, name, value, step, phase } = event.scalar;
        this.#publish({ type: 'scalar', round, nodeId: event.nodeId, name, value, step, phase });
      } else if (event.type === 'log' && this.#running) {
        this.#publish({ type: 'log', nodeId: event.nodeId, level: event.level, message: event.message });
      } else if (event.type === 'node-offline' && this.#running && this.#datasets.has(event.nodeId)) {
        this.#publish({
          type: 'log',
          nodeId: event.nodeId,
          level: 'LOG_LEVEL_WARNING',
          message: `node ${event.nodeName} went offline during round ${this.#currentRound}: ${event.reason}`,
        });
      }
    });
  }

  #publish(event: ExperimentEvent): void {
    this.#monitor?.record(event, this.#results);
    this.#events.publish(event);
  }

  #requestOptions(nodeIds: readonly string[] | undefined): { experimentId: string; timeoutMs: number; nodeIds?: readonly string[] } {
    return { experimentId: this.id, timeoutMs: this.#options.requestTimeoutMs, ...(nodeIds !== undefined ? { nodeIds } : {}) };
  }

  #snapshot(): ExperimentSnapshot {
    const o = this.#options;
    return {
      version: SNAPSHOT_VERSION,
      experimentId: o.experimentId,
      round: this.#round,
      options: {
        tags: o.tags,
        nodes: o.nodes ?? null,
        rounds: o.rounds,
        trainingArgs: this.#trainingArgs.args,
        ...(this.#trainingArgs.schedule !== undefined && { learningRateSchedule: this.#trainingArgs.schedule }),
        nodeSelection: describeSelection(o.nodeSelection),
        minNodes: o.minNodes,
        roundTimeoutMs: o.roundTimeoutMs,
        requestTimeoutMs: o.requestTimeoutMs,
        seed: o.seed,
        secureAggregation: o.secureAggregation ?? null,
      },
      plan: this.#plan,
      layout: this.#layout.tensors.map((t) => ({ name: t.name, shape: t.shape })),
      weights: this.#weights,
      strategy: this.#strategy.toJSON(),
      rngState: this.#random.state,
      selectionHistory: this.#selectionHistory,
      results: this.#results,
      ...(this.#standardization !== undefined ? { standardization: this.#standardization } : {}),
    };
  }
}

/**
 * Builds the resumed experiment; a saved option the constructor refuses (out of range, or beyond
 * the plan's limits) is a broken breakpoint, named as such with the option at fault.
 */
function rethrowAsBreakpointInvalid(dir: string, build: () => Experiment): Experiment {
  try {
    return build();
  } catch (error) {
    if (error instanceof ResearcherError && error.code === 'INVALID_OPTION') {
      throw new ResearcherError('BREAKPOINT_INVALID', `breakpoint in ${dir}: a saved option is refused: ${error.message.replace(/^new Experiment: /, '')}`, { cause: error });
    }
    throw error;
  }
}

function restoreSelection(saved: Record<string, unknown>, given: NodeSelection | undefined, dir: string): NodeSelection {
  if (given !== undefined) return given;
  if (saved['kind'] === 'all') return { kind: 'all' };
  if (saved['kind'] === 'fraction' && typeof saved['fraction'] === 'number' && typeof saved['minNodes'] === 'number') {
    return { kind: 'fraction', fraction: saved['fraction'], minNodes: saved['minNodes'] };
  }
  throw new ResearcherError(
    'BREAKPOINT_INVALID',
    `breakpoint in ${dir} used node selection ${JSON.stringify(saved)}; pass that function again as nodeSelection`,
  );
}

function unflatten(layout: ExperimentSnapshot['layout'], flat: Float32Array): { name: string; shape: readonly number[]; values: Float32Array }[] {
  let offset = 0;
  return layout.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = flat.subarray(offset, offset + size);
    offset += size;
    return { name, shape, values };
  });
}
