import fc from 'fast-check';
import { ResearcherError } from './errors';
import { aggregateMetrics } from './metric-aggregation';
import { applySelection, selectAll, selectFraction, selectWith } from './node-selection';
import { SeededRandom } from './seeded-random';
import { Subscribable } from './subscribable';

const candidates = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const context = (seed: number) => {
  const random = new SeededRandom(seed);
  return { round: 1, candidates, random: () => random.next() };
};

describe('node selection', () => {
  it('draws max(minNodes, ceil(fraction × n)) distinct candidates, the same for the same seed', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.integer({ min: 1, max: 10 }), fc.integer(), (fraction, minNodes, seed) => {
        const picked = applySelection(selectFraction(fraction, { minNodes }), context(seed));
        expect(picked).toHaveLength(Math.min(candidates.length, Math.max(minNodes, Math.ceil(fraction * candidates.length))));
        expect(new Set(picked).size).toBe(picked.length);
        expect(picked.every((id) => candidates.includes(id))).toBe(true);
        expect(applySelection(selectFraction(fraction, { minNodes }), context(seed))).toEqual(picked);
      }),
    );
  });

  it('takes everyone by default and rejects out-of-range options', () => {
    expect(applySelection(selectAll(), context(1))).toEqual(candidates);
    expect(() => selectFraction(0)).toThrow('selectFraction: fraction must be in (0, 1], got 0');
    expect(() => selectFraction(0.5, { minNodes: 0 })).toThrow(ResearcherError);
  });

  it('checks what a custom policy returns', () => {
    expect(applySelection(selectWith('odd', ({ candidates: c }) => c.filter((_, i) => i % 2 === 0)), context(1))).toEqual(['a', 'c', 'e', 'g']);
    expect(() => applySelection(selectWith('twice', () => ['a', 'a']), context(1))).toThrow("node selection 'twice' returned a node twice in round 1");
  });

  it('continues the same sequence from a saved generator state', () => {
    const random = new SeededRandom(42);
    random.next();
    const restored = SeededRandom.fromState(random.state);
    expect([restored.next(), restored.next()]).toEqual([random.next(), random.next()]);
  });
});

describe('aggregateMetrics', () => {
  it('weights each metric by the test samples of the nodes that report it, skipping non-finite values', () => {
    const result = aggregateMetrics([
      { values: { accuracy: 0.5, auc: 0.9 }, sampleCount: 10 },
      { values: { accuracy: 1, auc: Number.NaN }, sampleCount: 30 },
      { values: { loss: 2 }, sampleCount: 0 },
    ]);
    expect(result).toEqual({ values: { accuracy: 0.875, auc: 0.9, loss: 2 }, sampleCount: 40 });
  });
});

describe('Subscribable', () => {
  it('delivers to listeners and iterators, survives a throwing listener, and ends iterators on close', async () => {
    const errors: unknown[] = [];
    const hub = new Subscribable<number>((error) => errors.push(error));
    const seen: number[] = [];
    const stop = hub.subscribe((n) => seen.push(n));
    hub.subscribe(() => {
      throw new Error('listener bug');
    });
    const stream = hub.stream();
    hub.publish(1);
    stop();
    hub.publish(2);
    hub.close();
    const streamed: number[] = [];
    for await (const n of stream) streamed.push(n);
    expect(seen).toEqual([1]);
    expect(streamed).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
  });
});
