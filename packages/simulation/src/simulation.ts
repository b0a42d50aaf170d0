import type { Partition } from '@fedbiomed/datasets';
import type { VirtualNode } from '@fedbiomed/node';
import { createTransportFederation } from '@fedbiomed/researcher';
import { InProcessChannel } from './in-process-channel';
import { SimulationRunner } from './simulation-runner';
import { createVirtualNodes, partitionNodes, type PartitionNodesOptions, type SimulatedNode } from './virtual-nodes';

/** Options of {@link Simulation.fromPartition}: one dataset cut across `nodeCount` nodes. */
export interface PartitionedSimulationOptions extends PartitionNodesOptions {
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
   * keeps in its folder): plans, audit, error-feedback residuals, privacy spent. With an
   * `experimentDir` and breakpoints, a stopped simulation goes on where it stopped
   * ({@link Simulation.resumeExperiment}). Default: nothing written, every node in memory.
   */
  readonly stateDir?: string;
}

/**
 * Runs experiments over virtual nodes in this process: the real node request handlers (policy,
 * plan checks, training limits, `trainLocal`, SCAFFOLD state, audit) on in-memory datasets and
 * in-memory registries, reached through the same federation code as over gRPC, with no socket, no
 * folder and no database unless `stateDir` asks for one. `experiment()` returns a plain
 * `Experiment`, so strategies, node selection, learning-rate schedules, metrics and breakpoints are
 * those of a real study. `WorkerSimulation` does the same on worker threads.
 *
 * @example
 * ```ts
 * const simulation = Simulation.fromPartition({ dataset, nodeCount: 100, scheme: { kind: 'dirichlet', alpha: 0.5 }, seed: 1, tags: ['mnist'] });
 * const experiment = simulation.experiment({ tags: ['mnist'], plan, strategy: new FedAvg(), rounds: 10, trainingArgs, seed: 1 });
 * await experiment.run();
 * ```
 */
export class Simulation extends SimulationRunner {
  /** The virtual nodes, in the order given. */
  readonly nodes: readonly VirtualNode[];
  /** The partition, when the simulation was built by {@link Simulation.fromPartition}. */
  readonly partition: Partition | undefined;

  constructor(options: SimulationOptions, partition?: Partition) {
    const nodes = createVirtualNodes(options.nodes, options.stateDir !== undefined ? { stateDir: options.stateDir } : {});
    super(createTransportFederation(new InProcessChannel(nodes, options.concurrency !== undefined ? { concurrency: options.concurrency } : {})));
    this.nodes = nodes;
    this.partition = partition;
  }

  /**
   * Cuts one dataset across `nodeCount` virtual nodes with a partitioner of `@fedbiomed/datasets`;
   * each node holds a view of its samples (no copy of the data).
   *
   * @throws SimulationError INVALID_OPTION naming the partitioner's complaint (too many nodes, α ≤ 0, ...)
   */
  static fromPartition(options: PartitionedSimulationOptions): Simulation {
    const { nodes, partition } = partitionNodes(options);
    return new Simulation(
      {
        nodes,
        ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
        ...(options.stateDir !== undefined && { stateDir: options.stateDir }),
      },
      partition,
    );
  }

  /** Closes the nodes' databases (their files stay, for a later run on the same `stateDir`). */
  close(): void {
    for (const { node } of this.nodes) node.close();
  }
}
