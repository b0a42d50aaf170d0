import { randomUUID } from 'node:crypto';
import { fixedPointScale, SecAggError, SecAggServer, type SecAggParameters } from '@fedbiomed/secagg';
import type { FitResult, Strategy } from '@fedbiomed/strategy';
import type { DatasetMatch } from './discovery';
import { ResearcherError } from './errors';
import type { SecureRoundSummary } from './experiment-results';
import type { Federation, NodeOutcome, RequestOptions, SecureAggregationChannel, TrainOutcome, TrainTask } from './federation';

/** How an experiment masks its updates (the `secureAggregation` option of `new Experiment`). */
export interface SecureAggregationOptions {
  /**
   * Each coordinate of a node's update (local − global weights) is clipped to [−clipRange,
   * clipRange] before quantisation (default 8). The mean's quantisation error is at most
   * n / (2 · s · Σw) per coordinate with s = (2³¹ − 1 − n) / (clipRange · Σ bounds).
   */
  readonly clipRange?: number;
  /** Neighbours each node masks with (SecAgg+); default: every other node (SecAgg). */
  readonly neighbours?: number;
  /** Shares needed to unmask; default and minimum: more than half of a node's share holders. */
  readonly threshold?: number;
}

/** Strategies whose rule needs only the weighted sum of the updates. */
const SUM_ONLY_STRATEGIES = ['fedavg', 'fedprox', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad'];
/** Server-side DP wrapper that noises the aggregate (its clipping then applies to the aggregate update). */
const AGGREGATE_DP = 'dp-server-fixed-clipping';

/**
 * The FedAvg weighting nodes apply before masking, after checking that `strategy` needs only the
 * weighted sum: a rule that looks at individual updates (median, trimmed mean, Krum, Bulyan,
 * SCAFFOLD's controls, adaptive clipping's per-node norms) is refused, naming it.
 */
export function secureWeighting(strategy: Strategy): 'dataset_size' | 'uniform' {
  const snapshot = strategy.toJSON();
  const config = (snapshot.config ?? {}) as { inner?: { strategyName?: string; config?: { weighting?: string } }; weighting?: string };
  const wrapped = snapshot.strategyName === AGGREGATE_DP ? config.inner : undefined;
  const name = wrapped?.strategyName ?? snapshot.strategyName;
  const label = wrapped === undefined ? `'${name}'` : `'${name}' inside '${AGGREGATE_DP}'`;
  if (!SUM_ONLY_STRATEGIES.includes(name)) {
    throw new ResearcherError(
      'INVALID_OPTION',
      `secure aggregation hides each node's update, but strategy ${label} needs the individual updates; use one of ${SUM_ONLY_STRATEGIES.join(', ')} (optionally inside ${AGGREGATE_DP})`,
    );
  }
  const weighting = (wrapped?.config ?? config).weighting ?? 'dataset_size';
  if (weighting !== 'dataset_size' && weighting !== 'uniform') {
    throw new ResearcherError('INVALID_OPTION', `secure aggregation: strategy ${label} weights by "${weighting}", which a node cannot bound before training; use weighting "dataset_size" or "uniform"`);
  }
  return weighting;
}

/** Checks the option's values, naming the one at fault. */
export function resolveSecureAggregation(option: boolean | SecureAggregationOptions | undefined, flagged: boolean): Required<Pick<SecureAggregationOptions, 'clipRange'>> & SecureAggregationOptions | undefined {
  if (option === false || (option === undefined && !flagged)) return undefined;
  const settings = option === true || option === undefined ? {} : option;
  const clipRange = settings.clipRange ?? 8;
  const fail = (message: string): never => {
    throw new ResearcherError('INVALID_OPTION', `new Experiment: secureAggregation.${message}`);
  };
  if (!(clipRange > 0) || !Number.isFinite(clipRange)) fail(`clipRange must be a positive finite number, got ${clipRange}`);
  if (settings.neighbours !== undefined && (!Number.isInteger(settings.neighbours) || settings.neighbours < 2)) fail(`neighbours must be an integer ≥ 2, got ${settings.neighbours}`);
  if (settings.threshold !== undefined && (!Number.isInteger(settings.threshold) || settings.threshold < 2)) fail(`threshold must be an integer ≥ 2, got ${settings.threshold}`);
  return { ...settings, clipRange };
}

/** Everything {@link SecureRound.open} needs. */
export interface SecureRoundInput {
  readonly round: number;
  readonly federation: Federation;
  readonly options: RequestOptions;
  readonly settings: SecureAggregationOptions & { readonly clipRange: number };
  readonly weighting: 'dataset_size' | 'uniform';
  readonly tasks: readonly TrainTask[];
  readonly matches: ReadonlyMap<string, DatasetMatch>;
  /** Called for each node that failed a step before training. */
  readonly onFailure: (nodeId: string, code: string, reason: string) => void;
}

/**
 * One secure-aggregation round on the researcher's side: sets the round up with the selected
 * nodes (keys, then encrypted shares), hands out the training tasks with each node's shares, folds
 * each masked reply into a running sum ({@link SecAggServer}: no single update is ever decoded or
 * kept), then asks the survivors for the shares that unmask the sum only.
 */
export class SecureRound {
  #summary: SecureRoundSummary | undefined;

  private constructor(
    private readonly input: SecureRoundInput,
    private readonly server: SecAggServer,
    private readonly channel: SecureAggregationChannel,
    /** The training tasks of the nodes that completed the setup, with their shares. */
    readonly tasks: readonly TrainTask[],
  ) {}

  /** Steps 0 and 1 with every selected node; nodes that fail are reported and left out. */
  static async open(input: SecureRoundInput): Promise<SecureRound> {
    const channel = input.federation.secureAggregation;
    if (channel === undefined) throw new ResearcherError('INVALID_OPTION', 'secure aggregation: this federation does not carry the secure-aggregation steps');
    const participants = input.tasks.map((task) => task.nodeId).sort();
    const holders = Math.min(input.settings.neighbours ?? participants.length - 1, participants.length - 1) + 1;
    const parameters: SecAggParameters = {
      sessionId: randomUUID(),
      participants,
      threshold: input.settings.threshold ?? Math.floor(holders / 2) + 1,
      neighbours: input.settings.neighbours ?? participants.length - 1,
      clipRange: input.settings.clipRange,
      weightBounds: Object.fromEntries(participants.map((id) => [id, input.weighting === 'uniform' ? 1 : Number(input.matches.get(id)?.dataset.sampleCount ?? 0)])),
    };
    const server = guard(input.round, () => new SecAggServer(parameters, input.tasks[0]?.layout.size ?? 0));
    const setup = input.tasks.map((task) => ({ nodeId: task.nodeId, datasetId: task.datasetId, round: input.round, parameters, weighting: input.weighting }));
    for await (const outcome of channel.setup(setup, input.options)) {
      if (accept(outcome, input)) guard(input.round, () => server.receiveKeys(outcome.value));
    }
    const keys = server.advertisedKeys();
    const advertised = keys.map((k) => k.nodeId);
    for await (const outcome of channel.shareKeys(advertised, { sessionId: parameters.sessionId, keys, neighboursOf: (nodeId) => server.neighboursFor(nodeId) }, input.options)) {
      if (accept(outcome, input)) guard(input.round, () => server.receiveShares(outcome.nodeId, outcome.value));
    }
    const sharers = new Set(server.closeSharing());
    const tasks = input.tasks
      .filter((task) => sharers.has(task.nodeId))
      .map((task) => ({ ...task, masking: { sessionId: parameters.sessionId, shares: server.sharesFor(task.nodeId) } }));
    return new SecureRound(input, server, channel, tasks);
  }

  /** What the round revealed, once {@link SecureRound.aggregate} succeeded. */
  get summary(): SecureRoundSummary | undefined {
    return this.#summary;
  }

  /**
   * Folds one node's masked reply into the sum, or says why it cannot count. Its weight is its
   * train rows (checked against the bound it agreed to), or 1 for uniform weighting.
   */
  receive(nodeId: string, reply: TrainOutcome): string | undefined {
    if (reply.masked === undefined) return 'the node answered a secure round with an unmasked update';
    const weight = this.input.weighting === 'uniform' ? 1 : Number(reply.trainSize ?? 0);
    try {
      this.server.receiveMaskedInput(nodeId, reply.masked, weight);
    } catch (error) {
      if (error instanceof SecAggError) return error.message;
      throw error;
    }
    return undefined;
  }

  /**
   * Step 3: asks the survivors for their shares and unmasks the weighted mean of their deltas,
   * returned as one reply (the survivors' mean weights) for the strategy. Fails the round with
   * `ROUND_FAILED`, nothing unmasked, when more nodes dropped than the threshold tolerates.
   */
  async aggregate(global: Float32Array): Promise<FitResult> {
    const request = guard(this.input.round, () => this.server.unmaskRequest());
    const sessionId = this.server.parameters.sessionId;
    for await (const outcome of this.channel.unmask(request.survivors, { ...request, sessionId }, this.input.options)) {
      if (outcome.ok) this.server.receiveUnmaskShares(outcome.nodeId, outcome.value);
    }
    const result = guard(this.input.round, () => this.server.finish());
    const { threshold, clipRange } = this.server.parameters;
    this.#summary = { sessionId, survivors: result.survivors, dropped: result.dropped, threshold, clipRange, scale: fixedPointScale(this.server.parameters), errorBound: result.errorBound };
    const weights = new Float32Array(global.length);
    for (let i = 0; i < weights.length; i++) weights[i] = (global[i] as number) + (result.weightedMean[i] as number);
    // One reply standing for the survivors: FedAvg of it is itself, server optimisers step from it.
    return { nodeId: result.survivors[0] as string, sampleCount: result.weightSum, datasetSize: result.weightSum, weights };
  }
}

function accept<T>(outcome: NodeOutcome<T>, input: SecureRoundInput): outcome is Extract<NodeOutcome<T>, { ok: true }> {
  if (!outcome.ok) input.onFailure(outcome.nodeId, outcome.code, `secure-aggregation setup: ${outcome.message}`);
  return outcome.ok;
}

/** Runs a protocol step; a `SecAggError` fails the round with its message. */
function guard<T>(round: number, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof SecAggError) throw new ResearcherError('ROUND_FAILED', `round ${round}: secure aggregation failed: ${error.message}`, { cause: error });
    throw error;
  }
}
