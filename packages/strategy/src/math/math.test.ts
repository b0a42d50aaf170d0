import fc from 'fast-check';
import { coordinateMedian, meanAroundMedian, trimmedMean } from './coordinate-wise';
import { krumScores, pairwiseSquaredDistances } from './krum';
import { MetricAverager } from './metric-average';
import { WeightedMeanAccumulator } from './weighted-mean';

/** Reference: Σ wᵢxᵢ / Σ wᵢ in Float64, one input at a time. */
function reference(inputs: Float32Array[], weights: number[]): Float32Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const w = total > 0 ? weights : weights.map(() => 1);
  const divisor = total > 0 ? total : weights.length;
  return Float32Array.from(inputs[0]!, (_, j) => inputs.reduce((s, x, i) => s + w[i]! * x[j]!, 0) / divisor);
}

describe('WeightedMeanAccumulator', () => {
  const size = 10_000; // spans five 2048-coordinate blocks
  const input = (seed: number) => Float32Array.from({ length: size }, (_, j) => Math.sin(seed * 7.1 + j) * 3);

  it('matches the one-at-a-time Float64 mean for 1 to 9 inputs (every batch size)', () => {
    for (let k = 1; k <= 9; k++) {
      const inputs = Array.from({ length: k }, (_, i) => input(i));
      const weights = inputs.map((_, i) => (i * 37) % 11);
      const mean = new WeightedMeanAccumulator(size);
      inputs.forEach((x, i) => mean.add(x, weights[i]!, i));
      const out = mean.result()!;
      const expected = reference(inputs, weights);
      for (let j = 0; j < size; j += 997) expect(out[j]).toBeCloseTo(expected[j]!, 5);
    }
  });

  it('drops an input whose NaN sits late, backing out its terms already folded', () => {
    const inputs = Array.from({ length: 4 }, (_, i) => input(i));
    const bad = input(9);
    bad[9000] = NaN;
    const dropped: Array<[string, number]> = [];
    const mean = new WeightedMeanAccumulator<string>(size, (tag, index) => dropped.push([tag, index]));
    mean.add(inputs[0]!, 1, 'a');
    mean.add(bad, 5, 'bad');
    mean.add(inputs[1]!, 2, 'b');
    mean.add(inputs[2]!, 3, 'c');
    mean.add(inputs[3]!, 4, 'd');
    expect(mean.inputs).toBe(4);
    const out = mean.result()!;
    expect(dropped).toEqual([['bad', 9000]]);
    const expected = reference(inputs, [1, 2, 3, 4]);
    for (let j = 0; j < size; j++) expect(out[j]).toBeCloseTo(expected[j]!, 5);
  });

  it('keeps equal weights when the only positive weight is invalid, and null when nothing is left', () => {
    const a = Float32Array.of(1, 2);
    const b = Float32Array.of(3, 4);
    const mean = new WeightedMeanAccumulator<string>(2, () => undefined);
    mean.add(a, 0, 'a');
    mean.add(Float32Array.of(Infinity, 0), 7, 'bad');
    mean.add(b, 0, 'b');
    expect(Array.from(mean.result()!)).toEqual([2, 3]);
    const empty = new WeightedMeanAccumulator<string>(2, () => undefined);
    empty.add(Float32Array.of(NaN, 0), 1, 'x');
    expect(empty.result()).toBeNull();
    expect(() => new WeightedMeanAccumulator(2).add(new Float32Array(3), 1, 0)).toThrow(RangeError);
    expect(() => new WeightedMeanAccumulator(2).add(new Float32Array(2), -1, 0)).toThrow(/weight must be/);
    expect(() => new WeightedMeanAccumulator(2).add(new Float32Array(2), NaN, 0)).toThrow(/weight must be/);
  });

  describe('meanOf (every input at hand)', () => {
    type Case = { values: Float32Array; weight: number; tag: string };
    /** The streaming path's answer and handler calls, for comparison. */
    function streamed(inputs: Case[]): { out: Float32Array | null; dropped: Array<[string, number]> } {
      const dropped: Array<[string, number]> = [];
      const mean = new WeightedMeanAccumulator<string>(size, (tag, index) => dropped.push([tag, index]));
      for (const input of inputs) mean.add(input.values, input.weight, input.tag);
      return { out: mean.result(), dropped };
    }
    function listed(inputs: Case[]): { out: Float32Array | null; dropped: Array<[string, number]> } {
      const dropped: Array<[string, number]> = [];
      const out = WeightedMeanAccumulator.meanOf<string>(size, inputs, (tag, index) => dropped.push([tag, index]));
      return { out, dropped };
    }
    const bits = (values: Float32Array | null) => (values === null ? null : Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length)));

    it('gives the bits of the streaming path for 1 to 9 inputs, zero weights included', () => {
      for (let k = 1; k <= 9; k++) {
        const inputs = Array.from({ length: k }, (_, i) => ({ values: input(i), weight: (i * 37) % 11, tag: `n${i}` }));
        const list = listed(inputs);
        expect(bits(list.out)).toEqual(bits(streamed(inputs).out));
        const expected = reference(inputs.map((x) => x.values), inputs.map((x) => x.weight));
        for (let j = 0; j < size; j += 997) expect(list.out![j]).toBeCloseTo(expected[j]!, 5);
      }
    });

    it('falls back on a late NaN: same drops, same bits as the streaming path', () => {
      const inputs = Array.from({ length: 6 }, (_, i) => ({ values: input(i), weight: i + 1, tag: `n${i}` }));
      inputs[4]!.values[9000] = NaN;
      inputs[1]!.values[5000] = -Infinity;
      const list = listed(inputs);
      expect(list.dropped).toEqual([['n1', 5000], ['n4', 9000]]);
      expect(list.dropped).toEqual(streamed(inputs).dropped);
      expect(bits(list.out)).toEqual(bits(streamed(inputs).out));
    });

    it('handles vectors shorter than a block (1 to 5 values) like the streaming path', () => {
      for (let n = 1; n <= 5; n++) {
        const inputs = [1.5, -2.25, 3e30].map((scale, i) => ({ values: Float32Array.from({ length: n }, (_, j) => scale * (j + 1)), weight: i + 1, tag: i }));
        const mean = new WeightedMeanAccumulator(n);
        for (const x of inputs) mean.add(x.values, x.weight, x.tag);
        expect(bits(WeightedMeanAccumulator.meanOf(n, inputs))).toEqual(bits(mean.result()));
      }
    });

    it('returns null when nothing is left or given, and rejects what add rejects', () => {
      expect(WeightedMeanAccumulator.meanOf(size, [])).toBeNull();
      const bad = input(1);
      bad[0] = NaN;
      expect(WeightedMeanAccumulator.meanOf<string>(size, [{ values: bad, weight: 1, tag: 'x' }], () => undefined)).toBeNull();
      expect(() => WeightedMeanAccumulator.meanOf(size, [{ values: bad, weight: 1, tag: 0 }])).toThrow(/NaN at flat index 0/);
      expect(() => WeightedMeanAccumulator.meanOf(2, [{ values: new Float32Array(3), weight: 1, tag: 0 }])).toThrow(RangeError);
      expect(() => WeightedMeanAccumulator.meanOf(2, [{ values: new Float32Array(2), weight: 2 ** 53, tag: 0 }])).toThrow(/weight must be/);
    });

    it('property: the same bits and drops as the streaming path, whatever the weights and bad values', () => {
      const small = 3000; // two blocks
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              weight: fc.oneof(fc.constant(0), fc.nat({ max: 1000 })),
              seed: fc.integer({ min: 0, max: 1000 }),
              bad: fc.option(fc.record({ at: fc.nat({ max: small - 1 }), value: fc.constantFrom(NaN, Infinity, -Infinity) }), { freq: 4 }),
            }),
            { minLength: 1, maxLength: 10 },
          ),
          (specs) => {
            const inputs = specs.map(({ weight, seed, bad }, i) => {
              const values = Float32Array.from({ length: small }, (_, j) => Math.sin(seed * 3.3 + j) * 10 ** (j % 7));
              if (bad !== null) values[bad.at] = bad.value;
              return { values, weight, tag: `n${i}` };
            });
            const dropped: Array<[string, number]> = [];
            const stream = new WeightedMeanAccumulator<string>(small, (tag, index) => dropped.push([tag, index]));
            for (const x of inputs) stream.add(x.values, x.weight, x.tag);
            const expected = stream.result();
            const droppedList: Array<[string, number]> = [];
            const out = WeightedMeanAccumulator.meanOf<string>(small, inputs, (tag, index) => droppedList.push([tag, index]));
            expect(bits(out)).toEqual(bits(expected));
            expect(droppedList).toEqual(dropped);
          },
        ),
      );
    });
  });

  it('throws by default on a non-finite input, naming the flat index', () => {
    const mean = new WeightedMeanAccumulator(3);
    mean.add(Float32Array.of(0, -Infinity, 0), 1, 0);
    expect(() => mean.result()).toThrow(/-Infinity at flat index 1/);
  });
});

describe('coordinate-wise rules and Krum distances', () => {
  it('median, trimmed mean and mean-around-median on a column (hand-computed)', () => {
    const cols = [1, 9, 2, 8, 3].map((v) => Float32Array.of(v));
    expect(coordinateMedian(cols)[0]).toBe(3);
    expect(trimmedMean(cols, 0.2)[0]).toBeCloseTo((2 + 3 + 8) / 3, 6);
    // closest 3 to the median 3: 1, 2, 3 (|2|, |1|, 0) beat 8 (|5|)
    expect(meanAroundMedian(cols, 3)[0]).toBe(2);
  });

  it('pairwise distances are symmetric, K² numbers, equal to the direct sum', () => {
    const xs = [Float32Array.of(0, 0), Float32Array.of(3, 4), Float32Array.of(6, 8)];
    const d = pairwiseSquaredDistances(xs);
    expect(Array.from(d)).toEqual([0, 25, 100, 25, 0, 25, 100, 25, 0]);
    // neighbours = 1: 0 → 25, 1 → 25, 2 → 25
    expect(Array.from(krumScores(d, 3, [0, 1, 2], 1))).toEqual([25, 25, 25]);
  });

  it('property: the trimmed mean lies between the column min and max', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 20 }), fc.double({ min: 0, max: 0.49, noNaN: true }), (values, beta) => {
        const out = trimmedMean(values.map((v) => Float32Array.of(v)), beta)[0]!;
        expect(out).toBeGreaterThanOrEqual(Math.fround(Math.min(...values)));
        expect(out).toBeLessThanOrEqual(Math.fround(Math.max(...values)));
      }),
    );
  });

  it('averages metrics by weight, skipping non-finite values, in sorted key order', () => {
    const m = new MetricAverager();
    m.add({ loss: 1, acc: NaN }, 1);
    m.add({ loss: 4, acc: 0.5 }, 2);
    expect(m.result()).toEqual({ acc: 0.5, loss: 3 });
    expect(Object.keys(m.result())).toEqual(['acc', 'loss']);
  });
});
