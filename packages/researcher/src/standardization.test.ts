import fc from 'fast-check';
import { ResearcherError } from './errors';
import { planStandardizeStep, poolFeatureStatistics, standardizationOf, type FeatureStatistics } from './standardization';

/** Count, mean and M2 of rows, computed directly (two passes, float64). */
function direct(rows: readonly (readonly number[])[], width: number): FeatureStatistics {
  const mean = Array.from({ length: width }, (_, j) => (rows.length === 0 ? 0 : rows.reduce((s, row) => s + row[j]!, 0) / rows.length));
  const m2 = mean.map((m, j) => rows.reduce((s, row) => s + (row[j]! - m) ** 2, 0));
  return { count: rows.length, mean, m2 };
}

const close = (actual: number, expected: number, scale: number): boolean => Math.abs(actual - expected) <= 1e-9 * Math.max(1, scale);

describe('poolFeatureStatistics', () => {
  it('equals the statistics of the concatenated rows, whatever the partition (property)', () => {
    const value = fc.double({ min: -1e3, max: 1e3, noNaN: true });
    const rows = (width: number) => fc.array(fc.array(value, { minLength: width, maxLength: width }), { maxLength: 12 });
    const parts = fc.integer({ min: 1, max: 4 }).chain((width) => fc.tuple(fc.constant(width), fc.array(rows(width), { minLength: 1, maxLength: 5 })));
    fc.assert(
      fc.property(parts, ([width, partition]) => {
        const all = partition.flat();
        const expected = direct(all, width);
        const pooled = poolFeatureStatistics(partition.map((part) => direct(part, width)));
        const spread = Math.max(1, ...all.flat().map(Math.abs));
        return (
          pooled.count === expected.count &&
          pooled.mean.every((m, j) => close(m, expected.mean[j]!, spread)) &&
          pooled.m2.every((m, j) => close(m, expected.m2[j]!, spread * spread * Math.max(1, all.length)))
        );
      }),
      { numRuns: 300 },
    );
  });

  it('refuses parts of different widths and a count that is not a non-negative integer, naming the part', () => {
    const a = { count: 2, mean: [1, 2], m2: [0, 0] };
    expect(() => poolFeatureStatistics([a, { count: 2, mean: [1], m2: [0] }])).toThrow(/#1: 1 means and 1 M2 values, the first part has 2 features/);
    expect(() => poolFeatureStatistics([a, { count: 1.5, mean: [1, 2], m2: [0, 0] }])).toThrow(ResearcherError);
  });
});

describe('standardizationOf', () => {
  it('gives the population standard deviation, and 1 for a constant feature', () => {
    // Rows [1, 5] and [3, 5]: mean [2, 5], M2 [2, 0], population std [1, 0 -> 1].
    expect(standardizationOf({ count: 2, mean: [2, 5], m2: [2, 0] })).toEqual({ sampleCount: 2, mean: [2, 5], scale: [1, 1] });
    expect(() => standardizationOf({ count: 0, mean: [], m2: [] })).toThrow(/no train rows/);
  });
});

describe('planStandardizeStep', () => {
  const plan = (preprocessing: unknown) => ({ canonicalJson: JSON.stringify({ name: 'p', preprocessing }), name: 'p' });

  it('defaults to federated statistics, reads local, and names an unknown value', () => {
    expect(planStandardizeStep(plan([{ name: 'standardize', params: {} }]))).toEqual({ statistics: 'federated' });
    expect(planStandardizeStep(plan([{ name: 'standardize', params: { statistics: 'local' } }]))).toEqual({ statistics: 'local' });
    expect(planStandardizeStep(plan([]))).toBeUndefined();
    expect(() => planStandardizeStep(plan([{ name: 'standardize', params: { statistics: 'pooled' } }]))).toThrow(/preprocessing\[0\] "standardize" params: param "statistics" must be one of "federated", "local", "global", got "pooled"/);
    expect(() => planStandardizeStep(plan([{ name: 'standardize', params: { statistics: 'global', mean: [0, 1], scale: [1], sampleCount: 3 } }]))).toThrow(/param "scale".*mean and scale must have one value per feature each/);
    expect(() => planStandardizeStep(plan([{ name: 'standardize', params: { statistics: 'global', mean: [0], scale: [0], sampleCount: 3 } }]))).toThrow(/every scale must be positive/);
    expect(planStandardizeStep(plan([{ name: 'standardize', params: { statistics: 'global', mean: [0.5], scale: [2], sampleCount: 3 } }]))).toEqual({ statistics: 'global', mean: [0.5], scale: [2], sampleCount: 3 });
  });
});
