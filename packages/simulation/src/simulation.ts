import { partitionDataset, subsetDataset, type Dataset, type Partition, type PartitionScheme, type TrainTestSplit } from '@fedbiomed/datasets';
import { createVirtualNode, type NodeConfigInput, type VirtualDataset, type VirtualNode } from '@fedbiomed/node';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildGlobalModel,
  createTransportFederation,
  Experiment,
  type ExperimentOptions,
  type Federation,
  type ResumeCollaborators,
} from '@fedbiomed/researcher';
import { evaluateModel, validatePlan, type Evaluation } from '@fedbiomed/training';
import { SimulationError } from './errors';
import { InProcessChannel } from './in-process-channel';

/** One simulated node and what it holds. */
export interface SimulatedNode {
  /** Default: `node-<index>`, numbered from 0 with the width of the largest index (`node-007`). */
  readonly id?: string;
  readonly name?: string;
  readonly datasets: readonly VirtualDataset[];
  /** The node's policy (`config.json`'s `policy`); default: plans run without approval. */
  readonly policy?: NodeConfigInput['policy'];
}

/** Options of {@link Simulation.fromPartition}: one dataset cut across `nodeCount` nodes. */
export interface PartitionedSimulationOptions {
  readonly dataset: Dataset;
  readonly nodeCount: number;
  /** IID, label skew (McMahan's shards), Dirichlet(α), quantity skew, or a column (`@fedbiomed/datasets`). */
  readonly scheme: PartitionScheme;
  /** Seed of the partition (the experiment has its own). */
  readonly seed: number;
  /** Tags of every node's dataset. */
  readonly tags: readonly string[];
  /**
   * The split the whole dataset carries (a split column, a recipe's): each node keeps its samples'
   * side of it, used as is by every experiment. Default: each node's split is cut per experiment.
   */
  readonly split?: TrainTestSplit;
  readonly policy?: NodeConfigInput['policy'];
  readonly concurrency?: number;
  /** As {@link SimulationOptions.stateDir}. */
  readonly stateDir?: string;
}

/** Options of `new Simulation(...)`. */
export interface SimulationOptions {
  readonly nodes: readonly SimulatedNode[];
  /** Nodes training at once (default 1: deterministic order, least memory; see `InProcessChannel`). */
  readonly concurrency?: number;
  /**
   * A folder for the nodes' state, one SQLite file each (`<node id>.db`, the registry a running node
   * keeps in its folder): plans, audit, SCAFFOLD controls, error feedback, privacy spent. With an
   * `experimentDir` and breakpoints, a stopped simulation goes on where it stopped
   * ({@link Simulation.resumeExperiment}). Default: nothing written, every node in memory.
   */
  readonly stateDir?: string;
}

/**
 * A simulation's default round deadline: 7 days. Virtual nodes train one after another, so a
 * wall-clock deadline meant for nodes training side by side (the `Experiment` default is 10
 * minutes) would cut the last ones out of every long round. (Node timers stop at 2³¹ − 1 ms, about
 * 24.8 days, and the round runner adds a margin to it.)
 */
export const SIMULATION_ROUND_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

/** What {@link Simulation.evaluateCentrally} returns: the metrics on the held-out set. */
export type CentralEvaluation = Evaluation;

/**
 * Runs experiments over virtual nodes in this process: the real node request handlers (policy,
 * plan checks, training limits, `trainLocal`, SCAFFOLD state, audit) on in-memory datasets and
 * in-memory registries, reached through the same federation code as over gRPC, with no socket, no
 * folder and no database unless `stateDir` asks for one. `experiment()` returns a plain `Experiment`, so strategies, node
 * selection, learning-rate schedules, metrics and breakpoints are those of a real study.
 *
 * @example
 * ```ts
 * const simulation = Simulation.fromPartition({ dataset, nodeCount: 100, scheme: { kind: 'dirichlet', alpha: 0.5 }, seed: 1, tags: ['mnist'] });
 * const experiment = simulation.experiment({ tags: ['mnist'], plan, strategy: new FedAvg(), rounds: 10, trainingArgs, seed: 1 });
 * await experiment.run();
 * ```
 */
export class Simulation {
  /** The virtual nodes, in the order given. */
  readonly nodes: readonly VirtualNode[];
  /** What every experiment of this simulation talks to. */
  readonly federation: Federation;
  /** The partition, when the simulation was built by {@link Simulation.fromPartition}. */
  readonly partition: Partition | undefined;

  constructor(options: SimulationOptions, partition?: Partition) {
    if (options.nodes.length === 0) throw new SimulationError('INVALID_OPTION', 'a simulation needs at least one node');
    const width = String(options.nodes.length - 1).length;
    const { stateDir } = options;
    if (stateDir !== undefined) mkdirSync(stateDir, { recursive: true });
    const nodes: VirtualNode[] = [];
    options.nodes.forEach((node, index) => {
      const nodeId = node.id ?? `node-${String(index).padStart(width, '0')}`;
      try {
        nodes.push(
          createVirtualNode({
            nodeId,
            datasets: node.datasets,
            ...(node.name !== undefined && { nodeName: node.name }),
            ...(node.policy !== undefined && { policy: node.policy }),
            ...(stateDir !== undefined && { databasePath: join(stateDir, `${nodeId}.db`) }),
          }),
        );
      } catch (error) {
        for (const opened of nodes) opened.node.close();
        throw new SimulationError('INVALID_OPTION', `node ${index} (${nodeId}): ${(error as Error).message}`, { cause: error });
      }
    });
    this.nodes = nodes;
    const channel = new InProcessChannel(this.nodes, options.concurrency !== undefined ? { concurrency: options.concurrency } : {});
    this.federation = createTransportFederation(channel);
    this.partition = partition;
  }

  /**
   * Cuts one dataset across `nodeCount` virtual nodes with a partitioner of `@fedbiomed/datasets`;
   * each node holds a view of its samples (no copy of the data).
   *
   * @throws SimulationError INVALID_OPTION naming the partitioner's complaint (too many nodes, α ≤ 0, ...)
   */
  static fromPartition(options: PartitionedSimulationOptions): Simulation {
    let partition: Partition;
    try {
      partition = partitionDataset(options.dataset, options.nodeCount, options.scheme, options.seed);
    } catch (error) {
      throw new SimulationError('INVALID_OPTION', `cannot partition the dataset (${options.scheme.kind}): ${(error as Error).message}`, { cause: error });
    }
    const nodes = partition.nodes.map((indices, index) => ({
      ...(partition.groupNames?.[index] !== undefined && { name: partition.groupNames[index] }),
      datasets: [
        {
          tags: options.tags,
          dataset: subsetDataset(options.dataset, indices),
          ...(options.split !== undefined && { split: splitOfPart(options.split, indices) }),
        },
      ],
      ...(options.policy !== undefined && { policy: options.policy }),
    }));
    return new Simulation(
      {
        nodes,
        ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
        ...(options.stateDir !== undefined && { stateDir: options.stateDir }),
      },
      partition,
    );
  }

  /**
   * A new experiment over this simulation's nodes; every option but `server` as for `new Experiment`,
   * `roundTimeoutMs` defaulting to {@link SIMULATION_ROUND_TIMEOUT_MS}.
   */
  experiment(options: Omit<ExperimentOptions, 'server'>): Experiment {
    return new Experiment({ roundTimeoutMs: SIMULATION_ROUND_TIMEOUT_MS, ...options, server: this.federation });
  }

  /**
   * Rebuilds the experiment whose breakpoints are in `dir` (its `experimentDir`) over this
   * simulation's nodes, as `Experiment.resume` does over a server. The nodes must be those of the
   * interrupted run: same partition and seed, and the same `stateDir` when the strategy keeps state
   * on nodes (SCAFFOLD, error feedback), else that state starts again from zero.
   *
   * @throws ResearcherError BREAKPOINT_INVALID when `dir` holds no usable breakpoint
   */
  resumeExperiment(dir: string, collaborators: Omit<ResumeCollaborators, 'server'> = {}): Promise<Experiment> {
    return Experiment.resume(dir, { ...collaborators, server: this.federation });
  }

  /** Closes the nodes' databases (their files stay, for a later run on the same `stateDir`). */
  close(): void {
    for (const { node } of this.nodes) node.close();
  }

  /**
   * Evaluates an experiment's current global model on a held-out dataset kept by the researcher
   * (e.g. MNIST's test set in a benchmark), as simulation studies report accuracy.
   */
  async evaluateCentrally(experiment: Experiment, dataset: Dataset, metrics?: readonly string[]): Promise<CentralEvaluation> {
    const { spec } = validatePlan(experiment.plan);
    const model = await buildGlobalModel(experiment.plan, experiment.layout, experiment.weights);
    try {
      return await evaluateModel({ model, loss: spec.loss, metrics: metrics ?? spec.metrics, dataset });
    } finally {
      model.dispose();
    }
  }
}

/** `split` restricted to the samples `indices` (sorted) and renumbered as positions in them. */
function splitOfPart(split: TrainTestSplit, indices: readonly number[]): TrainTestSplit {
  const position = new Map(indices.map((index, at) => [index, at]));
  const keep = (side: readonly number[]) => side.flatMap((index) => (position.has(index) ? [position.get(index) as number] : []));
  const test = keep(split.test);
  return { ...split, train: keep(split.train), test, size: indices.length, testRatio: indices.length > 0 ? test.length / indices.length : 0 };
}
