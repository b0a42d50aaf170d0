import fc from 'fast-check';
import { StrategyError } from '../errors';
import { createLayout } from '../parameters';
import { createSeededRng } from '../rng';
import type { FitResult, GlobalModel } from '../types';
import { FedAvg } from './fedavg';

const layout = createLayout([
  { name: 'kernel', shape: [2] },
  { name: 'bias', shape: [1] },
]);
const model: GlobalModel = { layout, weights: new Float32Array(3) };
const reply = (nodeId: string, sampleCount: number, values: number[], metrics?: Record<string, number>): FitResult => ({
  nodeId,
  sampleCount,
  weights: Float32Array.from(values),
  ...(metrics ? { metrics } : {}),
});

async function aggregate(strategy: FedAvg, replies: FitResult[], nodes = replies.map((r) => r.nodeId)) {
  strategy.configureFit(1, model, nodes);
  return strategy.aggregateFit(1, replies, []);
}

describe('FedAvg', () => {
  it('weights replies by n_i / Σn (hand-computed)', async () => {
    // (1·[1, 2, 3] + 3·[5, 6, 7]) / 4 = [4, 5, 6]
    const out = await aggregate(new FedAvg(), [reply('a', 1, [1, 2, 3], { loss: 2 }), reply('b', 3, [5, 6, 7], { loss: 6 })]);
    expect(Array.from(out!.weights)).toEqual([4, 5, 6]);
    expect(out!.metrics).toEqual({ loss: 5 });
    expect(out!.acceptedNodes).toEqual(['a', 'b']);
  });

  it('uses equal weights when every n is 0, and ignores n = 0 replies once any n > 0', async () => {
    const zero = await aggregate(new FedAvg(), [reply('a', 0, [1, 2, 3]), reply('b', 0, [3, 4, 5])]);
    expect(Array.from(zero!.weights)).toEqual([2, 3, 4]);
    const mixed = await aggregate(new FedAvg(), [reply('a', 0, [100, 100, 100]), reply('b', 2, [3, 4, 5]), reply('c', 0, [7, 7, 7])]);
    expect(Array.from(mixed!.weights)).toEqual([3, 4, 5]);
  });

  it('averages uniformly with weighting "uniform"', async () => {
    const out = await aggregate(new FedAvg({ weighting: 'uniform' }), [reply('a', 1, [1, 2, 3]), reply('b', 3, [5, 6, 7])]);
    expect(Array.from(out!.weights)).toEqual([3, 4, 5]);
  });

  it('weights by train-split size by default, by samples processed with weighting "processed"', async () => {
    // Processed counts 1 and 3; train splits 3 and 1.
    const replies = [{ ...reply('a', 1, [1, 2, 3]), datasetSize: 3 }, { ...reply('b', 3, [5, 6, 7]), datasetSize: 1 }];
    // (3·[1, 2, 3] + 1·[5, 6, 7]) / 4 = [2, 3, 4]
    expect(Array.from((await aggregate(new FedAvg(), replies))!.weights)).toEqual([2, 3, 4]);
    expect(Array.from((await aggregate(new FedAvg({ weighting: 'processed' }), replies))!.weights)).toEqual([4, 5, 6]);
    expect(new FedAvg().config.weighting).toBe('dataset_size');
  });

  it('reads the pre-dataset_size weighting "samples" of old breakpoints as "processed"', () => {
    const restored = FedAvg.fromJSON({ strategyName: 'fedavg', config: { weighting: 'samples' }, state: {} });
    expect(restored.config.weighting).toBe('processed');
    expect(() => new FedAvg({ weighting: 'rows' as never })).toThrow(/weighting/);
  });

  it('drops a reply whose dataset size is not a non-negative integer', async () => {
    const out = await aggregate(new FedAvg(), [{ ...reply('a', 1, [1, 2, 3]), datasetSize: -4 }, { ...reply('b', 3, [5, 6, 7]), datasetSize: 2 }]);
    expect(out!.acceptedNodes).toEqual(['b']);
    expect(out!.droppedReplies[0]!.error.message).toMatch(/dataset size must be a non-negative integer/);
  });

  it('folds a stream in as replies arrive', async () => {
    const strategy = new FedAvg();
    strategy.configureFit(1, model, ['a', 'b']);
    const seen: string[] = [];
    async function* replies() {
      seen.push('a-sent');
      yield reply('a', 1, [2, 2, 2]);
      seen.push('b-sent');
      yield reply('b', 1, [4, 4, 4]);
    }
    const out = await strategy.aggregateFit(1, replies(), []);
    expect(Array.from(out!.weights)).toEqual([3, 3, 3]);
    expect(seen).toEqual(['a-sent', 'b-sent']);
  });

  it('aggregates a list block-wise to the bits of the same replies streamed, drops included', async () => {
    const big = createLayout([{ name: 'dense/kernel', shape: [50, 100] }, { name: 'dense/bias', shape: [100] }]);
    const bigModel: GlobalModel = { layout: big, weights: new Float32Array(big.size) };
    const rng = createSeededRng(3);
    const replies = Array.from({ length: 6 }, (_, i): FitResult => ({
      nodeId: `n${i}`,
      sampleCount: 10 + i,
      weights: Float32Array.from({ length: big.size }, () => rng.nextGaussian()),
    }));
    replies[3]!.weights[5050] = NaN; // in dense/bias, after the first block
    const run = async (input: FitResult[] | AsyncIterable<FitResult>) => {
      const strategy = new FedAvg();
      strategy.configureFit(1, bigModel, replies.map((r) => r.nodeId));
      return (await strategy.aggregateFit(1, input, []))!;
    };
    async function* stream() {
      yield* replies;
    }
    const list = await run(replies);
    const streamed = await run(stream());
    expect(Buffer.from(list.weights.buffer, list.weights.byteOffset, list.weights.byteLength).equals(Buffer.from(streamed.weights.buffer, streamed.weights.byteOffset, streamed.weights.byteLength))).toBe(true);
    expect(list.acceptedNodes).toEqual(['n0', 'n1', 'n2', 'n4', 'n5']);
    expect(streamed.acceptedNodes).toEqual(list.acceptedNodes);
    expect(list.droppedReplies.map((d) => d.error.message)).toEqual([expect.stringMatching(/NaN at flat index 5050 \(node "n3", tensor "dense\/bias", index 50\)/)]);
    expect(streamed.droppedReplies.map((d) => d.error.message)).toEqual(list.droppedReplies.map((d) => d.error.message));
  });

  it('keeps the old model (null) when failures are not accepted', async () => {
    const strategy = new FedAvg({ acceptFailures: false });
    strategy.configureFit(1, model, ['a', 'b']);
    expect(await strategy.aggregateFit(1, [reply('a', 1, [1, 1, 1])], [{ nodeId: 'b', reason: 'timeout' }])).toBeNull();
  });

  describe('validation', () => {
    const cases: Array<[string, FitResult, RegExp]> = [
      ['NaN', reply('bad', 1, [0, 0, NaN]), /NON_FINITE: weights hold NaN at flat index 2 \(node "bad", tensor "bias", index 0\)/],
      ['Infinity', reply('bad', 1, [0, Infinity, 0]), /NON_FINITE.*tensor "kernel", index 1/],
      ['short', reply('bad', 1, [0, 0]), /LAYOUT_MISMATCH: weights: expected 3 values.*got 2 values \(node "bad"\)/],
      ['negative n', reply('bad', -1, [0, 0, 0]), /INVALID_SAMPLE_COUNT.*got -1 \(node "bad"\)/],
      ['fractional n', reply('bad', 1.5, [0, 0, 0]), /INVALID_SAMPLE_COUNT.*got 1.5/],
      ['unexpected node', reply('stranger', 1, [0, 0, 0]), /UNEXPECTED_NODE.*node "stranger"/],
    ];
    it.each(cases)('fails the round on a %s reply with policy "fail"', async (_what, bad, message) => {
      const strategy = new FedAvg({ onInvalidReply: 'fail' });
      strategy.configureFit(1, model, ['good', 'bad']);
      await expect(strategy.aggregateFit(1, [reply('good', 1, [1, 1, 1]), bad], [])).rejects.toThrow(message);
    });

    it.each(cases)('drops a %s reply with a warning with policy "drop"', async (_what, bad, message) => {
      const warnings: string[] = [];
      const strategy = new FedAvg({ onInvalidReply: 'drop' }, { logger: { warn: (text) => warnings.push(text) } });
      strategy.configureFit(1, model, ['good', 'bad']);
      const out = await strategy.aggregateFit(1, [reply('good', 1, [1, 1, 1]), bad], []);
      expect(Array.from(out!.weights)).toEqual([1, 1, 1]);
      expect(out!.droppedReplies.map((d) => d.nodeId)).toEqual([bad.nodeId]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(message);
    });

    it('rejects a duplicate reply and an empty set', async () => {
      const strategy = new FedAvg({ onInvalidReply: 'fail' });
      strategy.configureFit(1, model, ['a']);
      await expect(strategy.aggregateFit(1, [reply('a', 1, [1, 1, 1]), reply('a', 1, [1, 1, 1])], [])).rejects.toThrow(/replied twice/);
      strategy.configureFit(2, model, ['a']);
      await expect(strategy.aggregateFit(2, [], [])).rejects.toThrow(/EMPTY_REPLY_SET: no reply/);
      const dropping = new FedAvg();
      dropping.configureFit(1, model, ['a']);
      await expect(dropping.aggregateFit(1, [reply('a', 1, [NaN, 0, 0])], [])).rejects.toThrow(/all 1 replies were invalid/);
    });

    it('validates its config field by field', () => {
      expect(() => new FedAvg({ fractionFit: 2 })).toThrow(/INVALID_CONFIG: strategy "fedavg": fractionFit: .*\(field fractionFit\)/);
      expect(() => new FedAvg({ onInvalidReply: 'ignore' as never })).toThrow(StrategyError);
    });
  });

  it('property: FedAvg of identical updates is that update, bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 12 }),
        async (values, counts) => {
          const weights = Float32Array.from(values);
          const replies = counts.map((n, i) => ({ nodeId: `n${i}`, sampleCount: n, weights }));
          const out = await aggregate(new FedAvg(), replies);
          // Equal as numbers: the accumulator starts at +0, so −0 comes out as +0.
          expect(Array.from(out!.weights, (v) => v + 0)).toEqual(Array.from(weights, (v) => v + 0));
        },
      ),
    );
  });

  it('selects ⌊fraction·N⌋ nodes reproducibly from a seeded RNG, whatever the offer order', () => {
    const pick = (nodes: string[]) => new FedAvg({ fractionFit: 0.5 }, { rng: createSeededRng(42) }).configureFit(1, model, nodes).map((i) => i.nodeId);
    const nodes = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(pick(nodes)).toHaveLength(3);
    expect(pick([...nodes].reverse())).toEqual(pick(nodes));
    expect(() => new FedAvg({ minFitNodes: 3 }).configureFit(1, model, ['a'])).toThrow(/TOO_FEW_NODES/);
  });
});
