/**
 * Partitioners for simulations: split one dataset's indices across nodes as IID, label skew
 * (k classes per node, McMahan et al. 2017), Dirichlet(α) over labels, quantity skew, or naturally
 * by a column. Every scheme is a pure function of its seed.
 */
import { classIds } from '../array-dataset';
import type { Dataset } from '../dataset';
import { DatasetError, DatasetErrorCode } from '../errors';
import { createRandom, type Random, range, shuffled } from '../random';
import { cutByProportions, dirichlet } from './dirichlet';

/** How to spread samples across nodes. */
export type PartitionScheme =
  | { readonly kind: 'iid' }
  /** Sort by label, cut into `nodeCount × classesPerNode` shards, give each node `classesPerNode` random shards. */
  | { readonly kind: 'label-skew'; readonly classesPerNode: number }
  /**
   * Per class, node shares drawn from Dirichlet(α): small α, strong skew. Redrawn until every node
   * holds at least `minPartitionSize` samples (default 1), as Flower's `DirichletPartitioner`.
   */
  | { readonly kind: 'dirichlet'; readonly alpha: number; readonly minPartitionSize?: number }
  /** IID labels, node sizes drawn from Dirichlet(α); redrawn as `dirichlet` is. */
  | { readonly kind: 'quantity-skew'; readonly alpha: number; readonly minPartitionSize?: number }
  /** One node per distinct value of `groups` (one value per sample, e.g. a site column), sorted by value. */
  | { readonly kind: 'by-column'; readonly groups: readonly string[] };

/** The indices of each node plus what they hold. */
export interface Partition {
  /** Sorted sample indices per node. */
  readonly nodes: readonly (readonly number[])[];
  /** Per node, sample count per class (classification) or `[count]` (regression). */
  readonly histograms: readonly (readonly number[])[];
  /** The group value of each node, for `by-column`. */
  readonly groupNames?: readonly string[];
}

/** Dirichlet draws tried before a partition whose smallest node is below the minimum is refused. */
const MAX_DIRICHLET_DRAWS = 100;

/**
 * Partitions `dataset` over `nodeCount` nodes (ignored by `by-column`, where the groups decide).
 * Throws INVALID_OPTION for impossible requests (more nodes than samples, α ≤ 0, ...).
 */
export function partitionDataset(dataset: Dataset, nodeCount: number, scheme: PartitionScheme, seed: number): Partition {
  if (scheme.kind !== 'by-column' && (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > dataset.size)) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `nodeCount must be an integer in [1, ${dataset.size}], got ${nodeCount}`);
  }
  const random = createRandom(seed);
  const ascending = (a: number, b: number) => a - b;
  let nodes: number[][];
  let groupNames: string[] | undefined;
  switch (scheme.kind) {
    case 'iid':
      nodes = cutByProportions(shuffled(range(dataset.size), random), new Array<number>(nodeCount).fill(1 / nodeCount));
      break;
    case 'label-skew':
      nodes = labelSkew(classIds(dataset), nodeCount, scheme.classesPerNode, random);
      break;
    case 'dirichlet':
      nodes = redrawUntilLargeEnough(scheme, nodeCount, dataset.size, () => dirichletOverLabels(classIds(dataset), nodeCount, scheme.alpha, random));
      break;
    case 'quantity-skew':
      nodes = redrawUntilLargeEnough(scheme, nodeCount, dataset.size, () => cutByProportions(shuffled(range(dataset.size), random), dirichlet(scheme.alpha, nodeCount, random)));
      break;
    case 'by-column': {
      if (scheme.groups.length !== dataset.size) {
        throw new DatasetError(DatasetErrorCode.INCONSISTENT, `${scheme.groups.length} group values for ${dataset.size} samples`);
      }
      groupNames = [...new Set(scheme.groups)].sort();
      const byName = new Map(groupNames.map((name, i) => [name, i]));
      nodes = groupNames.map(() => []);
      scheme.groups.forEach((group, index) => nodes[byName.get(group) ?? 0]?.push(index));
      break;
    }
  }
  const sorted = nodes.map((node) => node.sort(ascending));
  return { nodes: sorted, histograms: histogramsOf(dataset, sorted), ...(groupNames === undefined ? {} : { groupNames }) };
}

/** Per node, sample count per class (classification) or `[count]` (regression). */
export function histogramsOf(dataset: Dataset, nodes: readonly (readonly number[])[]): number[][] {
  if (dataset.metadata.numClasses < 1) return nodes.map((node) => [node.length]);
  const ids = classIds(dataset);
  return nodes.map((node) => {
    const histogram = new Array<number>(dataset.metadata.numClasses).fill(0);
    for (const index of node) {
      const id = ids[index] ?? 0;
      histogram[id] = (histogram[id] ?? 0) + 1;
    }
    return histogram;
  });
}

/**
 * Draws until every node holds at least the scheme's `minPartitionSize` samples; refuses, naming
 * what to change, when no draw of {@link MAX_DIRICHLET_DRAWS} does (a node without samples cannot
 * train, and one with a sample or two has no test split).
 */
function redrawUntilLargeEnough(
  scheme: { readonly kind: string; readonly alpha: number; readonly minPartitionSize?: number },
  nodeCount: number,
  size: number,
  draw: () => number[][],
): number[][] {
  const { alpha, minPartitionSize: minimum = 1 } = scheme;
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `alpha must be a positive number, got ${alpha}`);
  if (!Number.isInteger(minimum) || minimum < 0 || minimum * nodeCount > size) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `minPartitionSize must be an integer in [0, ${Math.floor(size / nodeCount)}] (${size} samples over ${nodeCount} nodes), got ${minimum}`);
  }
  let smallest = 0;
  for (let attempt = 0; attempt < MAX_DIRICHLET_DRAWS; attempt++) {
    const nodes = draw();
    smallest = Math.min(...nodes.map((node) => node.length));
    if (smallest >= minimum) return nodes;
  }
  throw new DatasetError(
    DatasetErrorCode.INVALID_OPTION,
    `${scheme.kind} partition with alpha ${alpha}: none of ${MAX_DIRICHLET_DRAWS} draws gave each of the ${nodeCount} nodes at least ${minimum} sample(s) ` +
      `(the last draw's smallest node: ${smallest}); raise alpha, use fewer nodes or lower minPartitionSize`,
  );
}

function labelSkew(ids: Int32Array, nodeCount: number, classesPerNode: number, random: Random): number[][] {
  const shardCount = nodeCount * classesPerNode;
  if (!Number.isInteger(classesPerNode) || classesPerNode < 1 || shardCount > ids.length) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `classesPerNode must be a positive integer with nodeCount × classesPerNode ≤ ${ids.length}, got ${classesPerNode}`);
  }
  // Shuffle first so that samples of one class are cut into shards in random order.
  const order = shuffled(range(ids.length), random).sort((a, b) => (ids[a] ?? 0) - (ids[b] ?? 0));
  const shards = cutByProportions(order, new Array<number>(shardCount).fill(1 / shardCount));
  const assignment = shuffled(range(shardCount), random);
  return range(nodeCount).map((node) => assignment.slice(node * classesPerNode, (node + 1) * classesPerNode).flatMap((s) => shards[s] ?? []));
}

function dirichletOverLabels(ids: Int32Array, nodeCount: number, alpha: number, random: Random): number[][] {
  const nodes: number[][] = range(nodeCount).map(() => []);
  const classes = [...new Set(ids)].sort((a, b) => a - b);
  for (const cls of classes) {
    const members = shuffled(range(ids.length).filter((i) => ids[i] === cls), random);
    cutByProportions(members, dirichlet(alpha, nodeCount, random)).forEach((part, node) => nodes[node]?.push(...part));
  }
  return nodes;
}
