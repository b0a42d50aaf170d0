import fc from 'fast-check';
import { rocAuc } from './classification';
import { pooledRocAuc, scoreHistogram, SCORE_HISTOGRAM_BINS } from './score-histogram';

/** One node's test split: labels and scores in [0, 1]. */
const nodeSamples = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 60 })
  .map((rows) => ({ labels: rows.map(([y]) => y), scores: rows.map(([, s]) => s) }));

describe('pooled ROC AUC from per-node score histograms', () => {
  it('equals the AUC of the concatenated scores within its stated error bound (property)', () => {
    fc.assert(
      fc.property(fc.array(nodeSamples, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: SCORE_HISTOGRAM_BINS }), (nodes, bins) => {
        const labels = nodes.flatMap((n) => n.labels);
        const scores = nodes.flatMap((n) => n.scores);
        const exact = rocAuc(labels, scores);
        const pooled = pooledRocAuc(nodes.map((n) => scoreHistogram(n.labels, n.scores, bins)));
        if (Number.isNaN(exact)) return expect(pooled.value).toBeNaN();
        expect(Math.abs(pooled.value - exact)).toBeLessThanOrEqual(pooled.errorBound + 1e-12);
        // The bound is at most half the largest share of negatives in one bin.
        const negatives = labels.filter((y) => y !== 1).length;
        const perBin = scoreHistogram(labels, scores, bins).negatives;
        expect(pooled.errorBound).toBeLessThanOrEqual((0.5 * Math.max(...perBin)) / negatives + 1e-12);
        expect(pooled.positives + pooled.negatives).toBe(labels.length);
      }),
      { numRuns: 300 },
    );
  });

  it('is exact when no positive shares a bin with a negative, and differs from the mean of per-node AUCs', () => {
    // Node a ranks perfectly (AUC 1) and so does node b, but b's positives score below a's negatives.
    const a = { labels: [0, 0, 1, 1], scores: [0.6, 0.7, 0.8, 0.9] };
    const b = { labels: [0, 0, 1, 1], scores: [0.1, 0.2, 0.3, 0.4] };
    const pooled = pooledRocAuc([scoreHistogram(a.labels, a.scores), scoreHistogram(b.labels, b.scores)]);
    const exact = rocAuc([...a.labels, ...b.labels], [...a.scores, ...b.scores]);
    expect(pooled.errorBound).toBe(0);
    expect(pooled.value).toBe(exact);
    // 16 pairs: 8 within nodes all right, a's positives above b's negatives (4), b's positives below a's negatives (4).
    expect(pooled.value).toBe(0.75);
  });

  it('counts a bin shared by a positive and a negative as half, and bounds that', () => {
    const pooled = pooledRocAuc([scoreHistogram([0, 1], [0.5001, 0.5002])]);
    expect(pooled.value).toBe(0.5);
    expect(pooled.errorBound).toBe(0.5);
  });

  it('refuses histograms of different bin counts and counts that are not non-negative integers, by index', () => {
    const ten = scoreHistogram([0, 1], [0.1, 0.9], 10);
    expect(() => pooledRocAuc([ten, scoreHistogram([0, 1], [0.1, 0.9], 20)])).toThrow(/score histogram 1 has 20 negative and 20 positive bins, expected 10/);
    const broken = { negatives: ten.negatives, positives: ten.positives.map((c, i) => (i === 9 ? -1 : c)) };
    expect(() => pooledRocAuc([ten, broken])).toThrow(/score histogram 1 holds a count of -1/);
    expect(() => scoreHistogram([1], [Number.NaN])).toThrow(/score 0 is NaN/);
  });
});
