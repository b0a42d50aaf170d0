import fc from 'fast-check';
import { quantilesFromHistogram } from './quantiles';

/** Counts below, per bin and above, as the nodes compute them. */
function histogram(values: readonly number[], edges: readonly number[]): number[] {
  const last = edges[edges.length - 1]!;
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    const bin = v < edges[0]! ? 0 : v > last ? edges.length : v === last ? edges.length - 1 : edges.findIndex((e) => e > v);
    counts[bin]! += 1;
  }
  return counts;
}

describe('quantilesFromHistogram', () => {
  it('puts the exact quantile (inverted CDF) in the interval it reports, and the estimate within its width', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 150, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.uniqueArray(fc.integer({ min: -20, max: 120 }), { minLength: 2, maxLength: 30 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
        (values, rawEdges, probabilities) => {
          const edges = [...rawEdges].sort((a, b) => a - b);
          const sorted = [...values].sort((a, b) => a - b);
          for (const q of quantilesFromHistogram(edges, histogram(values, edges), probabilities)) {
            const exact = sorted[Math.max(1, Math.ceil(q.probability * sorted.length)) - 1]!;
            expect(exact).toBeGreaterThanOrEqual(q.lower);
            expect(exact).toBeLessThanOrEqual(q.upper);
            if (Number.isFinite(q.errorBound)) expect(Math.abs(q.value - exact)).toBeLessThanOrEqual(q.errorBound);
          }
        },
      ),
    );
  });

  it('reports an unbounded interval when the quantile falls outside the edges', () => {
    const [q] = quantilesFromHistogram([0, 1], [5, 1, 0], [0.5]);
    expect(q).toMatchObject({ lower: -Infinity, upper: 0, errorBound: Infinity });
  });
});
