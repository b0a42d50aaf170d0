// The virtual nodes of `fedbiomed simulate`, built from its --data, --nodes and --partition options;
// imported by the command, and by each worker thread under --workers (dist/simulate-nodes.js).
import { resolve } from 'node:path';
import type { Partition, PartitionScheme } from '@fedbiomed/datasets';
import { openRegisteredDataset, type OpenedDataset } from '@fedbiomed/node';
import { partitionNodes, type SimulatedNode } from '@fedbiomed/simulation';

/** One `--data` argument: a dataset type, its path and the adapter's or recipe's options. */
export interface DataSpec {
  readonly type: string;
  readonly path: string;
  readonly options: Record<string, unknown>;
}

/** The partitioners `--partition` offers. */
export const PARTITIONS = ['iid', 'label-skew', 'dirichlet', 'quantity-skew'] as const;

/** What the nodes are built from: plain data, so that a worker thread can be given it. */
export interface SimulateNodesArgs {
  readonly data: readonly DataSpec[];
  /** Cut the one dataset across this many nodes; default: one node per dataset. */
  readonly nodes?: number;
  readonly partition: (typeof PARTITIONS)[number];
  readonly classesPerNode: number;
  readonly alpha: number;
  /** dirichlet and quantity-skew: the fewest samples a node may hold. */
  readonly minPartitionSize: number;
  readonly seed: number;
  readonly tags: readonly string[];
}

/** The nodes and, for a cut dataset, the partition (class histograms per node). */
export async function buildSimulatedNodes(args: SimulateNodesArgs): Promise<{ nodes: SimulatedNode[]; partition?: Partition }> {
  const opened = await Promise.all(args.data.map(openData));
  if (args.nodes !== undefined) {
    const [only] = opened as [OpenedDataset];
    return partitionNodes({
      dataset: only.dataset,
      nodeCount: args.nodes,
      scheme: schemeOf(args),
      seed: args.seed,
      tags: args.tags,
      ...(only.split !== undefined && { split: only.split }),
    });
  }
  const nodes = opened.map((data, index) => ({
    name: `${args.data[index]?.type ?? 'data'} ${index}`,
    datasets: [{ tags: args.tags, dataset: data.dataset, ...(data.split !== undefined && { split: data.split }) }],
  }));
  return { nodes };
}

/** The entry a `WorkerSimulation`'s workers call. */
export async function simulatedNodes(args: SimulateNodesArgs): Promise<SimulatedNode[]> {
  return (await buildSimulatedNodes(args)).nodes;
}

async function openData(spec: DataSpec): Promise<OpenedDataset> {
  try {
    return await openRegisteredDataset({ dataType: spec.type, path: resolve(spec.path), options: spec.options });
  } catch (error) {
    throw new Error(`--data ${spec.type}:${spec.path}: ${(error as Error).message}`, { cause: error });
  }
}

function schemeOf(o: Pick<SimulateNodesArgs, 'partition' | 'classesPerNode' | 'alpha' | 'minPartitionSize'>): PartitionScheme {
  switch (o.partition) {
    case 'iid':
      return { kind: 'iid' };
    case 'label-skew':
      return { kind: 'label-skew', classesPerNode: o.classesPerNode };
    case 'dirichlet':
      return { kind: 'dirichlet', alpha: o.alpha, minPartitionSize: o.minPartitionSize };
    case 'quantity-skew':
      return { kind: 'quantity-skew', alpha: o.alpha, minPartitionSize: o.minPartitionSize };
  }
}
