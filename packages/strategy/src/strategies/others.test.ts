import fc from 'fast-check';
import { createLayout } from '../parameters';
import { createSeededRng } from '../rng';
import { encodeFloat32 } from '../state-codec';
import type { FitResult, GlobalModel, StrategySnapshot } from '../types';
import { FedAvg } from './fedavg';
import { FEDPROX_MU_KEY, FedProx } from './fedprox';
import { Bulyan, FedMedian, FedTrimmedAvg, Krum } from './robust';
import { SCAFFOLD_NODE_CONTROL, SCAFFOLD_SERVER_CONTROL, Scaffold } from './scaffold';
import { FedAdagrad, FedAdam, FedAvgM, FedYogi } from './server-optimizers';

const layout1 = createLayout([{ name: 'w', shape: [1] }]);
const model1 = (w: number): GlobalModel => ({ layout: layout1, weights: Float32Array.of(w) });
const r = (nodeId: string, values: number[], sampleCount = 1, aux?: Record<string, Float32Array>): FitResult => ({
  nodeId,
  sampleCount,
  weights: Float32Array.from(values),
  ...(aux ? { aux } : {}),
});

async function round(strategy: FedAvg, model: GlobalModel, replies: FitResult[], n = 1) {
  strategy.configureFit(n, model, replies.map((x) => x.nodeId));
  return (await strategy.aggregateFit(n, replies, []))!.weights;
}

describe('FedProx', () => {
  it('hands μ to every node and aggregates like FedAvg', async () => {
    const strategy = new FedProx({ mu: 0.3 });
    const instructions = strategy.configureFit(1, model1(0), ['a', 'b']);
    expect(instructions.map((i) => i.config[FEDPROX_MU_KEY])).toEqual([0.3, 0.3]);
    expect(Array.from((await strategy.aggregateFit(1, [r('a', [1], 1), r('b', [4], 2)], []))!.weights)).toEqual([3]);
  });
});

describe('server optimisers (hand-computed, one coordinate)', () => {
  it('FedAvgM: v = βv + (w − avg), w ← w − ηv over two rounds', async () => {
    const s = new FedAvgM({ serverMomentum: 0.5, serverLearningRate: 1 });
    // round 1: Δ = 1 − 3 = −2, v = −2, w = 1 + 2 = 3
    expect(Array.from(await round(s, model1(1), [r('a', [3])], 1))).toEqual([3]);
    // round 2: Δ = 3 − 4 = −1, v = −1 − 1 = −2, w = 3 + 2 = 5
    expect(Array.from(await round(s, model1(3), [r('a', [4])], 2))).toEqual([5]);
  });

  it('FedAdam / FedYogi / FedAdagrad: the paper update from v₋₁ = τ²', async () => {
    const cfg = { eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.5 };
    // Δ = 2, m = 0.2, τ² = 0.25
    const adam = 0.1 * 0.2 / (Math.sqrt(0.99 * 0.25 + 0.01 * 4) + 0.5);
    const yogi = 0.1 * 0.2 / (Math.sqrt(0.25 - 0.01 * 4 * Math.sign(0.25 - 4)) + 0.5);
    const adagrad = 0.1 * 0.2 / (Math.sqrt(0.25 + 4) + 0.5);
    expect((await round(new FedAdam(cfg), model1(0), [r('a', [2])]))[0]).toBeCloseTo(adam, 6);
    expect((await round(new FedYogi(cfg), model1(0), [r('a', [2])]))[0]).toBeCloseTo(yogi, 6);
    expect((await round(new FedAdagrad(cfg), model1(0), [r('a', [2])]))[0]).toBeCloseTo(adagrad, 6);
  });

  it('FedAdam with bias correction scales m and v by 1/(1 − βᵗ)', async () => {
    const cfg = { eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.5, biasCorrection: true };
    const m = 0.2 / 0.1;
    const v = (0.99 * 0.25 + 0.04) / 0.01;
    expect((await round(new FedAdam(cfg), model1(0), [r('a', [2])]))[0]).toBeCloseTo((0.1 * m) / (Math.sqrt(v) + 0.5), 6);
  });

  it('rejects out-of-range hyper-parameters by field', () => {
    expect(() => new FedAdam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => new FedYogi({ tau: 0 })).toThrow(/field tau/);
  });
});

describe('SCAFFOLD', () => {
  it('sends c and c_i, updates x with η_g and c with (1/N)Σ(c_i⁺ − c_i) over all known nodes', async () => {
    const s = new Scaffold({ globalLearningRate: 0.5 });
    const instructions = s.configureFit(1, model1(2), ['a', 'b', 'c', 'd']);
    expect(Array.from(instructions[0]!.aux[SCAFFOLD_SERVER_CONTROL]!)).toEqual([0]);
    expect(Array.from(instructions[0]!.aux[SCAFFOLD_NODE_CONTROL]!)).toEqual([0]);
    // Only a and b reply: x = 2 + 0.5·(mean(4, 6) − 2) = 3.5; c = (1 + 3)/4 = 1 (N = 4 known nodes).
    const control = (v: number) => ({ [SCAFFOLD_NODE_CONTROL]: Float32Array.of(v) });
    const out = await s.aggregateFit(1, [r('a', [4], 1, control(1)), r('b', [6], 9, control(3))], []);
    expect(Array.from(out!.weights)).toEqual([3.5]);
    expect(Array.from(s.control!)).toEqual([1]);
    const next = s.configureFit(2, model1(3.5), ['a', 'b', 'c', 'd']);
    expect(Array.from(next[1]!.aux[SCAFFOLD_NODE_CONTROL]!)).toEqual([3]);
    // b again: c = 1 + (5 − 3)/4 = 1.5
    await s.aggregateFit(2, [r('b', [3.5], 1, control(5))], []);
    expect(Array.from(s.control!)).toEqual([1.5]);
  });

  it('property: c stays the mean of every known node\'s control when the experiment offers a different subset each round', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray(['a', 'b', 'c', 'd', 'e', 'f'], { minLength: 1 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }), { minLength: 36, maxLength: 36 }),
        async (offered, values) => {
          const s = new Scaffold();
          const controls = new Map<string, number>();
          for (const [k, nodeIds] of offered.entries()) {
            s.configureFit(k + 1, model1(0), nodeIds);
            const replies = nodeIds.map((id, j) => r(id, [0], 1, { [SCAFFOLD_NODE_CONTROL]: Float32Array.of(values[k * 6 + j]!) }));
            await s.aggregateFit(k + 1, replies, []);
            for (const reply of replies) controls.set(reply.nodeId, reply.aux![SCAFFOLD_NODE_CONTROL]![0]!);
          }
          const known = new Set(offered.flat()).size;
          const expected = [...controls.values()].reduce((a, b) => a + b, 0) / known;
          expect(s.control![0]).toBeCloseTo(expected, 3);
        },
      ),
    );
  });

  it('reaches the optimum of heterogeneous quadratics under partial participation, where FedAvg drifts', async () => {
    // Node i minimises ½·a_i·(w − b_i)²; the federation's optimum is Σa_i·b_i / Σa_i. Each round the
    // experiment picks 3 of 10 nodes and offers only those to the strategy, so N grows as in a real run.
    const a = [0.5, 2, 1, 1.5, 0.7, 1.8, 0.9, 1.2, 0.6, 1.6];
    const b = [-4, 3, 1, 7, -2, 5, 0, -6, 2, 4];
    const optimum = a.reduce((sum, ai, i) => sum + ai * b[i]!, 0) / a.reduce((sum, ai) => sum + ai, 0);
    const steps = 20;
    const lr = 0.1;
    const localTraining = (i: number, x: number, aux: Readonly<Record<string, Float32Array>>): FitResult => {
      const c = aux[SCAFFOLD_SERVER_CONTROL]?.[0] ?? 0;
      const ci = aux[SCAFFOLD_NODE_CONTROL]?.[0] ?? 0;
      let y = x;
      for (let k = 0; k < steps; k++) y -= lr * (a[i]! * (y - b[i]!) - ci + c);
      return r(`n${i}`, [y], 1, { [SCAFFOLD_NODE_CONTROL]: Float32Array.of(ci - c + (x - y) / (steps * lr)) });
    };
    const run = async (strategy: FedAvg): Promise<number> => {
      const rng = createSeededRng(7);
      let x = 0;
      for (let n = 1; n <= 400; n++) {
        const order = [...a.keys()];
        for (let k = order.length - 1; k > 0; k--) {
          const j = Math.floor(rng.nextFloat() * (k + 1));
          [order[k], order[j]] = [order[j]!, order[k]!];
        }
        const picked = order.slice(0, 3);
        const instructions = strategy.configureFit(n, model1(x), picked.map((i) => `n${i}`));
        const replies = instructions.map((ins) => localTraining(Number(ins.nodeId.slice(1)), x, ins.aux));
        x = (await strategy.aggregateFit(n, replies, []))!.weights[0]!;
      }
      return x;
    };
    expect(Math.abs((await run(new Scaffold())) - optimum)).toBeLessThan(1e-3);
    expect(Math.abs((await run(new FedAvg({ weighting: 'uniform' }))) - optimum)).toBeGreaterThan(0.1);
  });

  it('rejects a reply without its new control', async () => {
    const s = new Scaffold({ onInvalidReply: 'fail' });
    s.configureFit(1, model1(0), ['a']);
    await expect(s.aggregateFit(1, [r('a', [1])], [])).rejects.toThrow(/MISSING_AUX.*scaffold.node_control.*node "a"/);
  });

  it('property: zero controls and η_g = 1 equal FedAvg', async () => {
    const layout = createLayout([{ name: 'w', shape: [4] }]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1000, max: 1000 }), { minLength: 4, maxLength: 4 }), fc.nat({ max: 1000 })), { minLength: 1, maxLength: 8 }),
        async (nodes) => {
          const model: GlobalModel = { layout, weights: new Float32Array(4) };
          const replies = nodes.map(([w, n], i) => r(`n${i}`, w, n, { [SCAFFOLD_NODE_CONTROL]: new Float32Array(4) }));
          const scaffold = await round(new Scaffold({ globalLearningRate: 1, weighting: 'processed' }), model, replies);
          const fedavg = await round(new FedAvg(), model, replies);
          expect(Array.from(scaffold)).toEqual(Array.from(fedavg));
        },
      ),
    );
  });
});

describe('robust rules', () => {
  const layout3 = createLayout([{ name: 'w', shape: [3] }]);
  const model3: GlobalModel = { layout: layout3, weights: new Float32Array(3) };

  it('median and trimmed mean (hand-computed)', async () => {
    const replies = [r('a', [1, 10, 0]), r('b', [2, 20, 0]), r('c', [3, 30, 0]), r('d', [100, -5, 8]), r('e', [4, 40, 0])];
    // sorted columns: [1,2,3,4,100] → 3; [-5,10,20,30,40] → 20; [0,0,0,0,8] → 0
    expect(Array.from(await round(new FedMedian(), model3, replies))).toEqual([3, 20, 0]);
    // β = 0.2 → cut 1 each end: mean(2,3,4) = 3, mean(10,20,30) = 20, mean(0,0,0) = 0
    expect(Array.from(await round(new FedTrimmedAvg({ beta: 0.2 }), model3, replies))).toEqual([3, 20, 0]);
    // even count: median is the mean of the two middle values
    expect(Array.from(await round(new FedMedian(), model3, replies.slice(0, 4)))).toEqual([2.5, 15, 0]);
  });

  it('Krum picks the reply with the smallest sum of distances to its n − f − 2 neighbours', async () => {
    const replies = [r('a', [0, 0, 0]), r('b', [1, 0, 0]), r('c', [0, 1, 0]), r('d', [0.2, 0.2, 0]), r('x', [50, 50, 50])];
    // f = 1 → 2 neighbours. d: 0.68 + 0.08 + 0.68 sorted → 0.08 + 0.68 = 0.76, the lowest.
    expect(Array.from(await round(new Krum({ byzantineNodes: 1 }), model3, replies))).toEqual(Array.from(Float32Array.of(0.2, 0.2, 0)));
    const multi = await round(new Krum({ byzantineNodes: 1, selected: 2 }), model3, replies);
    // a (score 0.08 + 1 = 1.08) joins d: mean of a and d.
    expect(Array.from(multi)).toEqual(Array.from(Float32Array.of(0.1, 0.1, 0)));
    await expect(round(new Krum({ byzantineNodes: 2 }), model3, replies)).rejects.toThrow(/TOO_FEW_REPLIES: 5 valid replies, Krum with f = 2/);
  });

  it('Bulyan needs n ≥ 4f + 3 and averages the β values nearest the median of θ Krum picks', async () => {
    await expect(round(new Bulyan({ byzantineNodes: 1 }), model3, [r('a', [0, 0, 0]), r('b', [0, 0, 0]), r('c', [0, 0, 0])])).rejects.toThrow(
      /TOO_FEW_REPLIES: 3 valid replies, Bulyan with f = 1 \(n ≥ 4f \+ 3\) needs at least 7/,
    );
    const honest = [1, 2, 3, 4, 5, 6].map((v, i) => r(`h${i}`, [v, v, v]));
    const out = await round(new Bulyan({ byzantineNodes: 1 }), model3, [...honest, r('z', [1000, -1000, 1000])]);
    // θ = 5 picks drop the outlier and one end (1 or 6); β = 3 around the median → mean of 3 central values.
    for (const v of out) expect(v).toBeGreaterThanOrEqual(3);
    for (const v of out) expect(v).toBeLessThanOrEqual(4);
  });

  const column = fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 2, maxLength: 2 });
  it.each([
    ['FedMedian', () => new FedMedian()],
    ['FedTrimmedAvg', () => new FedTrimmedAvg({ beta: 0.25 })],
    ['Bulyan', () => new Bulyan({ byzantineNodes: 1 })],
  ])('property: %s does not depend on reply order', async (_name, make) => {
    const layout = createLayout([{ name: 'w', shape: [2] }]);
    const model: GlobalModel = { layout, weights: new Float32Array(2) };
    await fc.assert(
      fc.asyncProperty(fc.array(column, { minLength: 7, maxLength: 10 }).chain((cols) => fc.tuple(fc.constant(cols), fc.shuffledSubarray(cols.map((_, i) => i), { minLength: cols.length }))), async ([cols, order]) => {
        const replies = cols.map((w, i) => r(`n${String(i).padStart(2, '0')}`, w));
        const a = await round(make(), model, replies);
        const b = await round(make(), model, order.map((i) => replies[i]!));
        expect(Array.from(b)).toEqual(Array.from(a));
      }),
    );
  });

  it('property: Krum selects from the honest cluster when f attackers send far outliers', async () => {
    const layout = createLayout([{ name: 'w', shape: [5] }]);
    const model: GlobalModel = { layout, weights: new Float32Array(5) };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }), async (f, seed) => {
        const rng = createSeededRng(seed);
        const n = 2 * f + 3 + (seed % 3);
        const honest = Array.from({ length: n - f }, (_, i) => r(`h${i}`, Array.from({ length: 5 }, () => rng.nextGaussian())));
        const attackers = Array.from({ length: f }, (_, i) => r(`x${i}`, Array.from({ length: 5 }, () => 1e4 + 1e3 * rng.nextGaussian())));
        const replies = [...attackers, ...honest];
        const out = await round(new Krum({ byzantineNodes: f }), model, replies);
        expect(honest.some((h) => Array.from(h.weights).every((v, i) => v === out[i]))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

describe('state round-trip', () => {
  it.each([
    ['FedAdam', () => new FedAdam()],
    ['FedAvgM', () => new FedAvgM()],
    ['SCAFFOLD', () => new Scaffold()],
  ])('%s snapshot keeps its tensors as Float32Array, survives a copy bit-exactly, and still loads the base64 state of older breakpoints', async (_name, make) => {
    const s = make();
    const weights = Float32Array.of(0.1);
    await round(s, model1(0.3), [r('a', [0.7], 1, { [SCAFFOLD_NODE_CONTROL]: Float32Array.of(Math.fround(1 / 3)) })]);
    const saved = s.toJSON();
    expect(Object.values(saved.state as Record<string, unknown>).some((value) => value instanceof Float32Array)).toBe(true);
    const snapshot = structuredClone(saved);
    const restored = (s.constructor as typeof FedAvg).fromJSON(snapshot);
    expect(restored.toJSON()).toEqual(snapshot);
    expect(restored).toBeInstanceOf(s.constructor);
    const legacy = JSON.parse(JSON.stringify(saved, (_key, value: unknown) => (value instanceof Float32Array ? encodeFloat32(value) : value))) as StrategySnapshot;
    expect((s.constructor as typeof FedAvg).fromJSON(legacy).toJSON()).toEqual(snapshot);
    expect(weights[0]).toBe(Math.fround(0.1));
    expect(() => FedAdam.fromJSON({ ...snapshot, strategyName: 'other' })).toThrow(/INVALID_STATE/);
  });
});
