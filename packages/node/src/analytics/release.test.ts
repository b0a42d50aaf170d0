import { ArrayDataset } from '@fedbiomed/datasets';
import { createSeededRng } from '@fedbiomed/strategy';
import { buildAnalyticsQuery, type AnalyticsQueryInput } from '@fedbiomed/training';
import type { AnalyticsPolicy } from '../config';
import { NodeError } from '../errors';
import { computeStatistics } from './compute';
import { releaseStatistics } from './release';

// Two features (x in 0..29, y = 2x + 1, with a NaN in row 3's y) and two classes, in memory: the
// rules on what a node releases, statistic by statistic.
const ROWS = 30;
const features = new Float32Array(ROWS * 2);
for (let i = 0; i < ROWS; i += 1) {
  features[2 * i] = i;
  features[2 * i + 1] = i === 3 ? Number.NaN : 2 * i + 1;
}
const dataset = new ArrayDataset({
  metadata: { dataType: 'csv', featureShape: [2], labelShape: [1], numClasses: 2, featureNames: ['x', 'y'], dtypes: { features: 'float32', labels: 'int32' } },
  features,
  labels: Float32Array.from({ length: ROWS }, (_, i) => (i < 12 ? 0 : 1)),
});
const rows = Array.from({ length: ROWS }, (_, i) => i);
const POLICY: AnalyticsPolicy = { autoApprove: false, minCellCount: 10, allowMinMax: false };

function release(input: AnalyticsQueryInput, policy: AnalyticsPolicy = POLICY) {
  return releaseStatistics(computeStatistics(buildAnalyticsQuery(input).query, { dataset, rows }), policy, dataset, createSeededRng(1));
}

describe('what a node releases of a query', () => {
  it('computes each statistic on the rows complete in its features, and releases empty bins', () => {
    const { results, privacy } = release({ name: 'q', statistics: [{ kind: 'mean', features: ['x', 'y'] }, { kind: 'histogram', feature: 'x', edges: [0, 15, 30, 40] }] });
    expect(privacy).toEqual({ mechanism: 'none', epsilon: 0, delta: 0 });
    expect(results[0]!.moments!.count).toBe(29); // row 3 has no y
    // Below 0: 0 rows; [0, 15): 15; [15, 30): 15; [30, 40]: 0; above 40: 0. Empty cells hold nobody.
    expect(results[1]!.bins!.counts).toEqual([0, 15, 15, 0, 0]);
  });

  it('refuses the whole query for one cell from 1 to minCellCount − 1, naming it', () => {
    const query = { name: 'q', statistics: [{ kind: 'count' as const }, { kind: 'histogram' as const, feature: 'x', edges: [0, 5, 30] }] };
    expect(() => release(query)).toThrow(NodeError);
    expect(() => release(query)).toThrow('statistic #2 (histogram of x): bin [0, 5) of x holds fewer than 10 rows');
    expect(() => release({ name: 'q', statistics: [{ kind: 'labelCounts' }] }, { ...POLICY, minCellCount: 13 })).toThrow('class 0 holds fewer than 13 rows');
    expect(() => release({ name: 'q', statistics: [{ kind: 'count' }] }, { ...POLICY, minCellCount: 31 })).toThrow('computed on fewer than 31 rows');
    expect(release({ name: 'q', statistics: [{ kind: 'labelCounts' }] }, { ...POLICY, minCellCount: 12 }).results[0]!.bins!.counts).toEqual([12, 18]);
  });

  it('releases minima and maxima only where allowed, and never under DP', () => {
    const query = { name: 'q', statistics: [{ kind: 'min' as const, features: ['x'] }, { kind: 'max' as const, features: ['y'] }] };
    expect(() => release(query)).toThrow(/does not release minima or maxima \(policy analytics.allowMinMax is false\)/);
    expect(release(query, { ...POLICY, allowMinMax: true }).results.map((r) => r.extremes!.values)).toEqual([[0], [59]]);
    const dp = { mechanism: 'laplace' as const, epsilon: 1, bounds: { x: [0, 30] as [number, number] } };
    expect(() => release(query, { ...POLICY, allowMinMax: true, dp })).toThrow(/no bounded sensitivity/);
  });

  it('under Gaussian DP, splits epsilon and delta over the statistics and calibrates sigma to the L2 sensitivity', () => {
    const dp = { mechanism: 'gaussian' as const, epsilon: 0.5, delta: 1e-5, bounds: { x: [-10, 40] as [number, number], y: [0, 80] as [number, number] } };
    const { results, privacy } = release({ name: 'q', statistics: [{ kind: 'count' }, { kind: 'covariance', features: ['x', 'y'] }] }, { ...POLICY, dp });
    expect(privacy).toEqual({ mechanism: 'gaussian', epsilon: 0.5, delta: 1e-5 });
    const factor = Math.sqrt(2 * Math.log(1.25 / 0.5e-5)) / 0.25;
    expect(results[0]!.noiseScale).toBeCloseTo(factor, 9);
    // count 1, sums 40 and 80, products 40², 40·80, 80².
    expect(results[1]!.noiseScale).toBeCloseTo(Math.sqrt(1 + 40 ** 2 + 80 ** 2 + 40 ** 4 + (40 * 80) ** 2 + 80 ** 4) * factor, 6);
    expect(results.map((r) => r.epsilon)).toEqual([0.25, 0.25]);
    expect(results[1]!.comoments!.comoment).toHaveLength(4);
  });
});
