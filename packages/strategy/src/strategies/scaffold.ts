import { z } from 'zod';
import { parseConfig, type ConfigSchema } from '../config';
import { StrategyError, StrategyErrorCode } from '../errors';
import { WeightedMeanAccumulator } from '../math/weighted-mean';
import { decodeFloat32 } from '../state-codec';
import type { GlobalModel, FitInstruction, StateValue } from '../types';
import { FedAvg, FedAvgConfigSchema, weightingField, type OpenRound, type StrategyDeps, type ValidReplies } from './fedavg';

/** Aux key of the server control c, sent to every selected node. */
export const SCAFFOLD_SERVER_CONTROL = 'scaffold.server_control';
/** Aux key of a node's control c_i: sent with the request, and the node's new c_i⁺ in its reply. */
export const SCAFFOLD_NODE_CONTROL = 'scaffold.node_control';

/** Config of {@link Scaffold}. */
export const ScaffoldConfigSchema = FedAvgConfigSchema.extend({
  /** Global learning rate η_g > 0. */
  globalLearningRate: z.number().gt(0).default(1),
  /** The paper averages y_i uniformly over S; `dataset_size` or `processed` weight them by nᵢ like FedAvg. */
  weighting: weightingField('uniform'),
});

/** Validated config of {@link Scaffold}. */
export type ScaffoldConfig = z.output<typeof ScaffoldConfigSchema>;

/**
 * SCAFFOLD, option II (Karimireddy et al. 2020, "SCAFFOLD: Stochastic Controlled Averaging for
 * Federated Learning", ICML, Algorithm 1). The server keeps the control c and every node's c_i.
 *
 * Each selected node i receives x, aux `scaffold.server_control` = c and
 * `scaffold.node_control` = c_i (zeros before its first round). It trains with the corrected step
 * y ← y − η_l(g(y) − c_i + c) for K local steps and replies with its weights y_i and aux
 * `scaffold.node_control` = c_i⁺ = c_i − c + (x − y_i)/(K·η_l) (option II, computed by
 * `@fedbiomed/training`). The server then applies
 *
 *   x ← x + η_g · mean_{i∈S}(y_i − x)
 *   c ← c + (1/N) · Σ_{i∈S}(c_i⁺ − c_i)
 *
 * where N is the number of nodes ever known (the union of the `nodeIds` offered to
 * `configureFit`), not |S|. The strategy keeps the paper's invariant c = (1/N) Σ_i c_i, nodes that
 * never trained counting as c_i = 0, by computing c from the node controls rather than adding the
 * update in place: when the experiment selects the participants itself, the strategy meets new
 * nodes round after round, N grows, and an in-place sum would keep early deltas divided by the
 * small N of their round. That bias is a constant drift in every local step, and it made the McMahan
 * MNIST run diverge after round 15 (docs/benchmarks/mcmahan-mnist.md). The controls change only
 * when a round aggregates successfully.
 *
 * Memory: the server holds one P-vector per node that has trained (N·P floats), as the algorithm
 * requires.
 */
export class Scaffold extends FedAvg {
  static override readonly strategyName: string = 'scaffold';
  declare readonly config: ScaffoldConfig;
  private serverControl: Float32Array | undefined;
  private readonly nodeControls = new Map<string, Float32Array>();
  private readonly knownNodes = new Set<string>();

  constructor(config: Partial<ScaffoldConfig> = {}, deps: StrategyDeps = {}) {
    super(config, deps);
  }

  protected override parse(config: unknown): ScaffoldConfig {
    return parseConfig(ScaffoldConfigSchema as ConfigSchema<ScaffoldConfig>, config, this.strategyName);
  }

  override configureFit(round: number, model: GlobalModel, nodeIds: readonly string[]): FitInstruction[] {
    if (this.serverControl?.length !== model.layout.size) {
      if (this.serverControl !== undefined) {
        throw new StrategyError(StrategyErrorCode.LAYOUT_MISMATCH, `the server control holds ${this.serverControl.length} values, the model ${model.layout.size}`);
      }
      this.serverControl = new Float32Array(model.layout.size);
    }
    const known = this.knownNodes.size;
    for (const nodeId of nodeIds) this.knownNodes.add(nodeId);
    if (this.knownNodes.size !== known) this.serverControl = this.meanControl(model.layout.size);
    return super.configureFit(round, model, nodeIds);
  }

  protected override fitAux(_round: number, nodeId: string): Record<string, Float32Array> {
    const serverControl = this.serverControl!;
    return {
      [SCAFFOLD_SERVER_CONTROL]: serverControl,
      [SCAFFOLD_NODE_CONTROL]: this.nodeControls.get(nodeId) ?? new Float32Array(serverControl.length),
    };
  }

  protected override requiredAux(): readonly string[] {
    return [SCAFFOLD_NODE_CONTROL];
  }

  /** Replies are checked in full first: a control must not be half-folded when its weights fail. */
  protected override checksFiniteWhileAggregating(): boolean {
    return false;
  }

  protected override async aggregateReplies(open: OpenRound, replies: ValidReplies): Promise<Float32Array | null> {
    const size = open.model.layout.size;
    const mean = new WeightedMeanAccumulator<string>(size);
    const updated = new Map<string, Float32Array>();
    for await (const reply of replies) {
      mean.add(reply.weights, this.replyWeight(reply), reply.nodeId);
      updated.set(reply.nodeId, reply.aux![SCAFFOLD_NODE_CONTROL]!);
    }
    const aggregate = mean.result();
    if (aggregate === null) return null;
    // Commit only now: a round that fails part-way leaves every control as it was.
    for (const [nodeId, control] of updated) {
      this.knownNodes.add(nodeId);
      this.nodeControls.set(nodeId, Float32Array.from(control));
    }
    this.serverControl = this.meanControl(size);
    return aggregate;
  }

  /**
   * c = (1/N) Σ_i c_i over the N known nodes, summed in float64 in node-id order: the same bits
   * whatever order the replies came in, and after a resume.
   */
  private meanControl(size: number): Float32Array {
    const sum = new Float64Array(size);
    for (const nodeId of [...this.nodeControls.keys()].sort()) {
      const control = this.nodeControls.get(nodeId)!;
      for (let i = 0; i < size; i++) sum[i]! += control[i]!;
    }
    const population = Math.max(1, this.knownNodes.size);
    const mean = new Float32Array(size);
    for (let i = 0; i < size; i++) mean[i] = sum[i]! / population;
    return mean;
  }

  protected override serverUpdate(open: OpenRound, aggregate: Float32Array): Float32Array {
    const x = open.model.weights;
    const eta = this.config.globalLearningRate;
    if (eta === 1) return aggregate;
    for (let i = 0; i < x.length; i++) aggregate[i] = x[i]! + eta * (aggregate[i]! - x[i]!);
    return aggregate;
  }

  /** The server control c (a copy), or undefined before the first round. */
  get control(): Float32Array | undefined {
    return this.serverControl?.slice();
  }

  protected override saveState(): StateValue {
    // A node's control is replaced, never written in place, so the snapshot can hold the arrays themselves.
    const nodeControls: Record<string, Float32Array> = {};
    for (const nodeId of [...this.nodeControls.keys()].sort()) nodeControls[nodeId] = this.nodeControls.get(nodeId)!;
    return {
      serverControl: this.serverControl === undefined ? null : this.serverControl.slice(),
      nodeControls,
      knownNodes: [...this.knownNodes].sort(),
    };
  }

  override loadState(state: StateValue): void {
    if (state === null || typeof state !== 'object' || Array.isArray(state) || state instanceof Float32Array) {
      throw new StrategyError(StrategyErrorCode.INVALID_STATE, 'SCAFFOLD state must be an object');
    }
    const serverControl = state['serverControl'];
    this.serverControl = serverControl === null || serverControl === undefined ? undefined : decodeFloat32(serverControl, 'serverControl');
    this.nodeControls.clear();
    const nodeControls = state['nodeControls'];
    if (nodeControls !== null && typeof nodeControls === 'object' && !Array.isArray(nodeControls) && !(nodeControls instanceof Float32Array)) {
      for (const [nodeId, encoded] of Object.entries(nodeControls)) {
        this.nodeControls.set(nodeId, decodeFloat32(encoded, `nodeControls.${nodeId}`, this.serverControl?.length));
      }
    }
    this.knownNodes.clear();
    const known = state['knownNodes'];
    if (Array.isArray(known)) for (const nodeId of known) if (typeof nodeId === 'string') this.knownNodes.add(nodeId);
    // c is derived from the node controls; recomputing it also mends states saved before the invariant was kept.
    if (this.serverControl !== undefined) this.serverControl = this.meanControl(this.serverControl.length);
  }
}
