import fc from 'fast-check';
import { createRandom } from '@fedbiomed/datasets';
import {
  concordanceHistogram,
  DEFAULT_CONCORDANCE_BINNING,
  evenEdges,
  logEdges,
  pooledConcordanceIndex,
  type ConcordanceBinning,
} from './concordance-histogram';
import { concordanceIndex } from './survival';

/** One centre's test split, float32 like the labels and outputs a node evaluates. */
interface Centre {
  readonly times: Float32Array;
  readonly events: Float32Array;
  readonly risks: Float32Array;
}

const concat = (centres: readonly Centre[], field: keyof Centre) => Float32Array.from(centres.flatMap((c) => [...c[field]]));
const exactPooled = (centres: readonly Centre[]) => concordanceIndex(concat(centres, 'times'), concat(centres, 'events'), concat(centres, 'risks'));
const pooled = (centres: readonly Centre[], binning: ConcordanceBinning) =>
  pooledConcordanceIndex(centres.map((c) => concordanceHistogram(c.times, c.events, c.risks, binning)), binning);

/**
 * A synthetic centre: proportional hazards with a Weibull baseline (shape 1.5, centre-specific
 * scale), uniform censoring of centre-specific horizon, and an imperfect model whose risk is the
 * true linear predictor plus noise and a centre offset (so pairs across centres matter).
 */
function syntheticCentre(seed: number, size: number, scale: number, horizon: number, offset: number): Centre {
  const random = createRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const times = new Float32Array(size);
  const events = new Float32Array(size);
  const risks = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const eta = 0.8 * normal() - 0.5 * normal();
    const eventTime = scale * Math.pow(-Math.log(1 - random()) / Math.exp(eta), 1 / 1.5);
    const censorTime = horizon * random();
    times[i] = Math.min(eventTime, censorTime);
    events[i] = eventTime <= censorTime ? 1 : 0;
    risks[i] = eta + 0.4 * normal() + offset;
  }
  return { times, events, risks };
}

const CENTRES: readonly Centre[] = [
  syntheticCentre(1, 60, 5, 12, 0),
  syntheticCentre(2, 150, 8, 20, 0.3),
  syntheticCentre(3, 90, 3, 6, -0.2),
  syntheticCentre(4, 200, 10, 30, 0.1),
];

describe('pooled concordance index from per-node binned survival statistics', () => {
  it('is within 0.005 of the exact C-index of 4 concatenated synthetic centres under the default binning, as its bound states', () => {
    const exact = exactPooled(CENTRES);
    const estimate = pooled(CENTRES, DEFAULT_CONCORDANCE_BINNING);
    expect(estimate.sampleCount).toBe(500);
    expect(Math.abs(estimate.value - exact)).toBeLessThanOrEqual(estimate.errorBound + 1e-12);
    expect(estimate.errorBound).toBeLessThan(0.005);
    // The sample-weighted mean of per-centre C-indices is another figure: it ignores pairs across centres.
    const weighted = CENTRES.reduce((sum, c) => sum + concordanceIndex(c.times, c.events, c.risks) * c.times.length, 0) / 500;
    expect(Math.abs(weighted - exact)).toBeGreaterThan(0.005);
  });

  it('is exact, with bound 0, when no two samples of different centres share a time bin or a risk bin', () => {
    // One edge at every distinct value: each value has a bin of its own; the draws repeat no value across centres.
    const distinct = (field: 'times' | 'risks') => [...new Set(concat(CENTRES, field))].sort((a, b) => a - b);
    const binning = { timeEdges: distinct('times'), riskEdges: distinct('risks') };
    const estimate = pooled(CENTRES, binning);
    expect(estimate.errorBound).toBe(0);
    expect(estimate.value).toBeCloseTo(exactPooled(CENTRES), 14);
  });

  it('bounds its error on any centres and bins, ties in time, event and risk included (property)', () => {
    const centre = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: -6, max: 6 })), { minLength: 1, maxLength: 25 })
      .map((rows) => ({
        times: Float32Array.from(rows, ([t]) => t / 2),
        events: Float32Array.from(rows, ([, e]) => e),
        risks: Float32Array.from(rows, ([, , r]) => r / 3),
      }));
    fc.assert(
      fc.property(fc.array(centre, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), (centres, timeBins, riskBins) => {
        const binning = { timeEdges: evenEdges(0.1, 6, timeBins), riskEdges: evenEdges(-2, 2, riskBins) };
        const exact = exactPooled(centres);
        const estimate = pooled(centres, binning);
        if (Number.isNaN(estimate.value)) return;
        expect(Math.abs(estimate.value - exact)).toBeLessThanOrEqual(estimate.errorBound + 1e-12);
        if (centres.length === 1) expect(estimate.value).toBeCloseTo(exact, 12);
      }),
      { numRuns: 300 },
    );
  });

  it('counts cross-node pairs from the bins: ordered by time bin, concordant by risk bin, ½ when sharing a risk bin', () => {
    // Each node ranks perfectly (C = 1) but node b's risks all lie below node a's, while b's events come first.
    const a = { times: Float32Array.of(10, 20), events: Float32Array.of(1, 0), risks: Float32Array.of(2, 1) };
    const b = { times: Float32Array.of(1, 2), events: Float32Array.of(1, 0), risks: Float32Array.of(-1, -2) };
    const binning = { timeEdges: [1.5, 5, 15], riskEdges: [-1.5, 0, 1.5] };
    const estimate = pooled([a, b], binning);
    // Within: 1 comparable pair each, concordant. Across: b's event (t=1) precedes both of a's, lower risk: 2 discordant pairs.
    expect(estimate.value).toBe(0.5);
    expect(estimate.value).toBe(exactPooled([a, b]));
    expect(estimate.errorBound).toBe(0);
    // Put every risk in one bin: the 2 cross pairs count ½ each, and the bound says how far that may be.
    const coarse = pooled([a, b], { timeEdges: binning.timeEdges, riskEdges: [] });
    expect(coarse.value).toBe(0.75);
    expect(coarse.errorBound).toBe(0.25);
  });

  it('leaves out pairs of different nodes in one time bin and widens the bound by them', () => {
    const a = { times: Float32Array.of(1), events: Float32Array.of(1), risks: Float32Array.of(2) };
    const b = { times: Float32Array.of(2, 3), events: Float32Array.of(0, 1), risks: Float32Array.of(1, 0) };
    // a's event and b's censored time share time bin 0: comparable in fact (1 < 2), unknown to the bins.
    const estimate = pooled([a, b], { timeEdges: [2.5], riskEdges: evenEdges(-0.5, 2.5, 4) });
    expect(exactPooled([a, b])).toBe(1);
    // Known comparable: a→b(3) concordant; b's own pair (2 censored, 3 event) is not comparable.
    expect(estimate.value).toBe(1);
    expect(estimate.errorBound).toBeCloseTo(0.5, 12);
  });

  it('spaces default edges evenly on a log scale for times and linearly for risks', () => {
    expect(logEdges(1, 100, 3)).toEqual([1, expect.closeTo(10, 12), expect.closeTo(100, 12)]);
    expect(DEFAULT_CONCORDANCE_BINNING.timeEdges).toHaveLength(1801);
    expect(DEFAULT_CONCORDANCE_BINNING.riskEdges[1]! - DEFAULT_CONCORDANCE_BINNING.riskEdges[0]!).toBeCloseTo(0.005, 12);
  });

  it('refuses unusable binnings and histograms, naming the edge, cell or histogram', () => {
    const one = { times: Float32Array.of(1), events: Float32Array.of(1), risks: Float32Array.of(0) };
    expect(() => concordanceHistogram(one.times, one.events, one.risks, { timeEdges: [1, 1], riskEdges: [] })).toThrow(/time edges are not strictly increasing at edge 1/);
    expect(() => concordanceHistogram(one.times, one.events, one.risks, { timeEdges: [], riskEdges: [Number.NaN] })).toThrow(/risk edge 0 is NaN/);
    expect(() => concordanceHistogram(one.times, one.events, Float32Array.of(Number.NaN), { timeEdges: [], riskEdges: [] })).toThrow(/sample 0 has a NaN time or risk/);
    const binning = { timeEdges: [5], riskEdges: [0] };
    const good = concordanceHistogram(one.times, one.events, one.risks, binning);
    expect(() => pooledConcordanceIndex([good, { ...good, riskBins: [2] }], binning)).toThrow(/concordance histogram 1 cell 0 is in risk bin 2, beyond the 2 bins asked/);
    expect(() => pooledConcordanceIndex([{ ...good, counts: [-1] }], binning)).toThrow(/histogram 0 cell 0 holds a count of -1/);
    expect(() => pooledConcordanceIndex([{ ...good, concordantPairs: 3 }], binning)).toThrow(/concordant \+ tied ≤ comparable/);
  });
});
