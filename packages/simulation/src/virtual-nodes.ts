import { partitionDataset, subsetDataset, type Dataset, type Partition, type PartitionScheme, type TrainTestSplit } from '@fedbiomed/datasets';
import { createVirtualNode, type NodeConfigInput, type VirtualDataset, type VirtualNode } from '@fedbiomed/node';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SimulationError } from './errors';

/** One simulated node and what it holds. */
export interface SimulatedNode {
  /** Default: `node-<index>`, numbered from 0 with the width of the largest index (`node-007`). */
  readonly id?: string;
  readonly name?: string;
  readonly datasets: readonly VirtualDataset[];
  /** The node's policy (`config.json`'s `policy`); default: plans run without approval. */
  readonly policy?: NodeConfigInput['policy'];
}

/** How {@link partitionNodes} cuts one dataset across nodes. */
export interface PartitionNodesOptions {
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
}

/**
 * Cuts one dataset across `nodeCount` simulated nodes with a partitioner of `@fedbiomed/datasets`;
 * each node holds a view of its samples (no copy of the data). The same options and seed give the
 * same nodes, in this process or in a worker thread.
 *
 * @throws SimulationError INVALID_OPTION naming the partitioner's complaint (too many nodes, α ≤ 0, ...)
 */
export function partitionNodes(options: PartitionNodesOptions): { nodes: SimulatedNode[]; partition: Partition } {
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
  return { nodes, partition };
}

/**
 * Builds the virtual nodes of `nodes` that `keep` selects by position (all by default), each with
 * its id (given, or numbered by its position among all of `nodes`) and, under `stateDir`, its
 * database file. On a failure the nodes already opened are closed.
 *
 * @throws SimulationError INVALID_OPTION naming the node and what is wrong with it
 */
export function createVirtualNodes(nodes: readonly SimulatedNode[], options: { stateDir?: string; keep?: (index: number) => boolean } = {}): VirtualNode[] {
  if (nodes.length === 0) throw new SimulationError('INVALID_OPTION', 'a simulation needs at least one node');
  const width = String(nodes.length - 1).length;
  const { stateDir, keep = () => true } = options;
  if (stateDir !== undefined) mkdirSync(stateDir, { recursive: true });
  const created: VirtualNode[] = [];
  nodes.forEach((node, index) => {
    if (!keep(index)) return;
    const nodeId = node.id ?? `node-${String(index).padStart(width, '0')}`;
    try {
      created.push(
        createVirtualNode({
          nodeId,
          datasets: node.datasets,
          ...(node.name !== undefined && { nodeName: node.name }),
          ...(node.policy !== undefined && { policy: node.policy }),
          ...(stateDir !== undefined && { databasePath: join(stateDir, `${nodeId}.db`) }),
        }),
      );
    } catch (error) {
      for (const opened of created) opened.node.close();
      throw new SimulationError('INVALID_OPTION', `node ${index} (${nodeId}): ${(error as Error).message}`, { cause: error });
    }
  });
  return created;
}

/** `split` restricted to the samples `indices` (sorted) and renumbered as positions in them. */
function splitOfPart(split: TrainTestSplit, indices: readonly number[]): TrainTestSplit {
  const position = new Map(indices.map((index, at) => [index, at]));
  const keep = (side: readonly number[]) => side.flatMap((index) => (position.has(index) ? [position.get(index) as number] : []));
  const test = keep(split.test);
  return { ...split, train: keep(split.train), test, size: indices.length, testRatio: indices.length > 0 ? test.length / indices.length : 0 };
}
