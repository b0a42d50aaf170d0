import { bundledDataset } from '@fedbiomed/test-utils';
import { type ArrayDataset, subsetDataset } from '../array-dataset';
import { DatasetErrorCode } from '../errors';
import { openMnistTest } from '../recipes/mnist';
import { partitionDataset } from './partitioners';

let mnist: ArrayDataset;
beforeAll(async () => {
  mnist = await openMnistTest({ dir: bundledDataset('mnist') });
});

const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
const classesHeld = (histogram: readonly number[]) => histogram.filter((c) => c > 0).length;

function expectDisjointCover(nodes: readonly (readonly number[])[], size: number): void {
  const all = nodes.flat().sort((a, b) => a - b);
  expect(all).toHaveLength(size);
  expect(all.every((v, i) => v === i)).toBe(true);
}

describe('partitionDataset on MNIST (10,000 samples)', () => {
  it('IID: equal sizes, every class on every node, histograms matching the indices', () => {
    const p = partitionDataset(mnist, 4, { kind: 'iid' }, 1);
    expectDisjointCover(p.nodes, 10_000);
    expect(p.nodes.map((n) => n.length)).toEqual([2500, 2500, 2500, 2500]);
    expect(p.histograms.every((h) => classesHeld(h) === 10)).toBe(true);
    expect(p.histograms.map(sum)).toEqual([2500, 2500, 2500, 2500]);
    const node = subsetDataset(mnist, p.nodes[2] ?? []);
    expect(node.size).toBe(2500);
    expect(Array.from(node.features(0))).toEqual(Array.from(mnist.features(p.nodes[2]?.[0] ?? -1)));
  });

  it('label skew: each node holds about k classes (McMahan shards)', () => {
    const p = partitionDataset(mnist, 10, { kind: 'label-skew', classesPerNode: 2 }, 5);
    expectDisjointCover(p.nodes, 10_000);
    expect(p.histograms.every((h) => classesHeld(h) <= 4)).toBe(true);
    // Shards cut across class boundaries, so a node may hold a few stray samples: its top k classes hold most of it.
    const topTwoShare = (h: readonly number[]) => sum([...h].sort((a, b) => b - a).slice(0, 2)) / sum(h);
    expect(p.histograms.every((h) => topTwoShare(h) > 0.8)).toBe(true);
  });

  it('Dirichlet: small α gives skewed label mixes, large α close to uniform', () => {
    const skewed = partitionDataset(mnist, 5, { kind: 'dirichlet', alpha: 0.1 }, 3);
    const uniform = partitionDataset(mnist, 5, { kind: 'dirichlet', alpha: 1000 }, 3);
    expectDisjointCover(skewed.nodes, 10_000);
    const maxShare = (p: typeof skewed) => Math.max(...p.histograms.map((h) => Math.max(...h) / Math.max(sum(h), 1)));
    expect(maxShare(skewed)).toBeGreaterThan(0.4);
    expect(maxShare(uniform)).toBeLessThan(0.15);
    expect(skewed.nodes.every((n) => n.length > 0)).toBe(true);
  });

  it('quantity skew: unequal sizes, deterministic by seed', () => {
    const p = partitionDataset(mnist, 4, { kind: 'quantity-skew', alpha: 0.5 }, 9);
    expectDisjointCover(p.nodes, 10_000);
    const sizes = p.nodes.map((n) => n.length);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(1.5);
    expect(partitionDataset(mnist, 4, { kind: 'quantity-skew', alpha: 0.5 }, 9)).toEqual(p);
    expect(partitionDataset(mnist, 4, { kind: 'quantity-skew', alpha: 0.5 }, 10).nodes).not.toEqual(p.nodes);
  });

  it('Dirichlet and quantity skew: every node holds at least minPartitionSize samples, redrawn as needed', () => {
    for (const [kind, alpha] of [['dirichlet', 0.1], ['quantity-skew', 2]] as const) {
      const loose = partitionDataset(mnist, 50, { kind, alpha }, 2);
      const bounded = partitionDataset(mnist, 50, { kind, alpha, minPartitionSize: 20 }, 2);
      expectDisjointCover(bounded.nodes, 10_000);
      // The seed's first draws leave smaller nodes, so the bound changed the partition.
      expect(Math.min(...loose.nodes.map((n) => n.length))).toBeLessThan(20);
      expect(Math.min(...bounded.nodes.map((n) => n.length))).toBeGreaterThanOrEqual(20);
      expect(partitionDataset(mnist, 50, { kind, alpha, minPartitionSize: 20 }, 2)).toEqual(bounded);
    }
  });

  it('refuses, naming what to change, a minimum that no Dirichlet draw reaches, instead of leaving nodes empty', () => {
    const tiny = subsetDataset(mnist, Array.from({ length: 120 }, (_, i) => i));
    expect(() => partitionDataset(tiny, 30, { kind: 'dirichlet', alpha: 0.05 }, 2)).toThrow(
      /dirichlet partition with alpha 0\.05: none of 100 draws gave each of the 30 nodes at least 1 sample\(s\) \(the last draw's smallest node: 0\); raise alpha, use fewer nodes or lower minPartitionSize/,
    );
    expect(() => partitionDataset(tiny, 30, { kind: 'quantity-skew', alpha: 1, minPartitionSize: 5 }, 2)).toThrow(
      expect.objectContaining({ code: DatasetErrorCode.INVALID_OPTION, message: expect.stringContaining('minPartitionSize must be an integer in [0, 4] (120 samples over 30 nodes), got 5') }),
    );
  });

  it('by column: one node per distinct value, sorted by value', () => {
    const groups = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? 'siteB' : 'siteA'));
    const p = partitionDataset(mnist, 0, { kind: 'by-column', groups }, 0);
    expect(p.groupNames).toEqual(['siteA', 'siteB']);
    expect(p.nodes.map((n) => n.length)).toEqual([6666, 3334]);
    expect(p.nodes[1]?.slice(0, 3)).toEqual([0, 3, 6]);
  });

  it('rejects impossible requests', () => {
    expect(() => partitionDataset(mnist, 0, { kind: 'iid' }, 0)).toThrow(expect.objectContaining({ code: DatasetErrorCode.INVALID_OPTION }));
    expect(() => partitionDataset(mnist, 2, { kind: 'dirichlet', alpha: 0 }, 0)).toThrow(expect.objectContaining({ code: DatasetErrorCode.INVALID_OPTION }));
    expect(() => partitionDataset(mnist, 2, { kind: 'by-column', groups: ['a'] }, 0)).toThrow(expect.objectContaining({ code: DatasetErrorCode.INCONSISTENT }));
  });
});
