import * as tf from '@tensorflow/tfjs';
import { ArrayDataset } from '@fedbiomed/datasets';
import { selectFraction, type NodeSelection } from '@fedbiomed/researcher';
import { createSeededRng, FedAvg, FedProx, Scaffold } from '@fedbiomed/strategy';
import { buildPlan } from '@fedbiomed/training';
import { Simulation } from './simulation';

tf.env().set('IS_TEST', true);

// FedAvg, FedProx and SCAFFOLD end to end (the nodes' train handler and training loop, the
// strategy, the experiment) against independent float64 implementations of the papers' algorithms
// (McMahan et al. 2017, Li et al. 2020, Karimireddy et al. 2020 Algorithm 1 option II), on linear
// regression with exact full-batch gradients: every node holds another line, so local steps drift
// and the correction terms matter.
const NODES = 6;
const EPOCHS = 5;
const LEARNING_RATE = 0.1;
const GLOBAL_LEARNING_RATE = 0.8;
const ROUNDS = 8;

interface NodeData {
  readonly id: string;
  readonly x: Float64Array; // n × 2, row-major
  readonly y: Float64Array;
}

function nodeData(): NodeData[] {
  const rng = createSeededRng(11);
  return Array.from({ length: NODES }, (_, i) => {
    const n = 10 + 5 * i;
    const slope = [1 + i, 2 - 0.7 * i];
    const x = Float64Array.from({ length: 2 * n }, () => 2 * rng.nextFloat() - 1);
    const y = Float64Array.from({ length: n }, (_, r) => slope[0]! * x[2 * r]! + slope[1]! * x[2 * r + 1]! + (i - 2.5) + 0.1 * rng.nextGaussian());
    return { id: `h${i}`, x: Float64Array.from(x, (v) => Math.fround(v)), y: Float64Array.from(y, (v) => Math.fround(v)) };
  });
}

/** Gradient of the mean squared error of w = [w₀, w₁, bias] on one node's rows. */
function gradient(data: NodeData, w: readonly number[]): number[] {
  const n = data.y.length;
  const g = [0, 0, 0];
  for (let r = 0; r < n; r++) {
    const residual = w[0]! * data.x[2 * r]! + w[1]! * data.x[2 * r + 1]! + w[2]! - data.y[r]!;
    g[0]! += (2 / n) * residual * data.x[2 * r]!;
    g[1]! += (2 / n) * residual * data.x[2 * r + 1]!;
    g[2]! += (2 / n) * residual;
  }
  return g;
}

/** `EPOCHS` full-batch SGD steps from x, each gradient plus `extra(y)` (the method's correction). */
function localSgd(node: NodeData, x: readonly number[], extra: (y: readonly number[]) => readonly number[]): number[] {
  let y = [...x];
  for (let k = 0; k < EPOCHS; k++) {
    const g = gradient(node, y);
    const e = extra(y);
    y = y.map((v, j) => v - LEARNING_RATE * (g[j]! + e[j]!));
  }
  return y;
}

/** FedAvg (μ = 0) and FedProx: the proximal term μ(y − x) in each step, the mean weighted by rows. */
function referenceFedProx(data: NodeData[], start: readonly number[], participants: readonly (readonly string[])[], mu: number): number[] {
  let x = [...start];
  for (const selected of participants) {
    const nodes = selected.map((id) => data.find((d) => d.id === id)!);
    const rows = nodes.reduce((sum, node) => sum + node.y.length, 0);
    const next = [0, 0, 0];
    for (const node of nodes) {
      const y = localSgd(node, x, (w) => w.map((v, j) => mu * (v - x[j]!)));
      for (let j = 0; j < 3; j++) next[j]! += (node.y.length / rows) * y[j]!;
    }
    x = next;
  }
  return x;
}

/**
 * SCAFFOLD, Algorithm 1. c is kept as the paper's invariant c = (1/N)·Σᵢ cᵢ (nodes that never
 * trained count as cᵢ = 0), with N = `population(t)` at round t; with N fixed this is the paper's
 * c ← c + (1/N)·Σ_{i∈S}(cᵢ⁺ − cᵢ). `population: null` drops the controls (plain local SGD).
 */
function referenceScaffold(data: NodeData[], start: readonly number[], participants: readonly (readonly string[])[], population: ((round: number) => number) | null): number[] {
  let x = [...start];
  const controls = new Map<string, number[]>();
  participants.forEach((selected, t) => {
    const c = [0, 0, 0];
    if (population) for (const ci of controls.values()) for (let j = 0; j < 3; j++) c[j]! += ci[j]! / population(t);
    const deltaX = [0, 0, 0];
    const next = new Map<string, number[]>();
    for (const id of selected) {
      const ci = (population && controls.get(id)) || [0, 0, 0];
      const y = localSgd(data.find((d) => d.id === id)!, x, () => c.map((v, j) => v - ci[j]!));
      for (let j = 0; j < 3; j++) deltaX[j]! += (y[j]! - x[j]!) / selected.length;
      next.set(id, ci.map((v, j) => v - c[j]! + (x[j]! - y[j]!) / (EPOCHS * LEARNING_RATE)));
    }
    for (const [id, ci] of next) controls.set(id, ci);
    x = x.map((v, j) => v + GLOBAL_LEARNING_RATE * deltaX[j]!);
  });
  return x;
}

async function runSimulation(data: NodeData[], strategy: FedAvg, nodeSelection?: NodeSelection) {
  const simulation = new Simulation({
    nodes: data.map((d) => ({
      id: d.id,
      datasets: [
        {
          tags: ['lines'],
          dataset: new ArrayDataset({
            metadata: { dataType: 'csv', featureShape: [2], labelShape: [1], numClasses: 0, dtypes: { features: 'float32', labels: 'float32' } },
            features: Float32Array.from(d.x),
            labels: Float32Array.from(d.y),
          }),
        },
      ],
    })),
  });
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
  const plan = buildPlan(model, { name: 'lines', loss: 'mse', optimizer: { name: 'sgd', learningRate: LEARNING_RATE } });
  model.dispose();
  const experiment = simulation.experiment({
    tags: ['lines'],
    plan,
    strategy,
    rounds: ROUNDS,
    // One batch holds a node's every row: a step is the exact gradient, as in the reference.
    trainingArgs: { epochs: EPOCHS, batchSize: 64 },
    testRatio: 0,
    seed: 5,
    ...(nodeSelection && { nodeSelection }),
  });
  const start = Array.from(experiment.weights, Number);
  const participants: string[][] = [];
  for (let t = 0; t < ROUNDS; t++) participants.push((await experiment.runOnce()).nodes.map((n) => n.nodeId));
  const weights = Array.from(experiment.weights, Number);
  experiment.close();
  await simulation.close();
  return { start, participants, weights };
}

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  for (const [j, w] of actual.entries()) expect(w).toBeCloseTo(expected[j]!, 4);
}

function largestDifference(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, j) => Math.abs(v - b[j]!)));
}

describe('strategies through a simulated federation equal float64 references of their papers', () => {
  const data = nodeData();

  it('FedAvg and FedProx: the sample-weighted mean of local SGD, with FedProx\'s proximal term in every step', async () => {
    const selection = () => selectFraction(0.5, { minNodes: 2 });
    const fedavg = await runSimulation(data, new FedAvg(), selection());
    expectClose(fedavg.weights, referenceFedProx(data, fedavg.start, fedavg.participants, 0));
    const fedprox = await runSimulation(data, new FedProx({ mu: 2 }), selection());
    const expected = referenceFedProx(data, fedprox.start, fedprox.participants, 2);
    expectClose(fedprox.weights, expected);
    expect(largestDifference(expected, referenceFedProx(data, fedprox.start, fedprox.participants, 0))).toBeGreaterThan(0.01);
  }, 60_000);

  it('SCAFFOLD with the strategy sampling half of the nodes it knows (N = all nodes, as in the paper)', async () => {
    const run = await runSimulation(data, new Scaffold({ fractionFit: 0.5, globalLearningRate: GLOBAL_LEARNING_RATE }));
    expect(run.participants.every((s) => s.length === NODES / 2)).toBe(true);
    expectClose(run.weights, referenceScaffold(data, run.start, run.participants, () => NODES));
    // The controls moved the result: plain local SGD ends elsewhere.
    expect(largestDifference(run.weights, referenceScaffold(data, run.start, run.participants, null))).toBeGreaterThan(0.01);
  }, 60_000);

  it('SCAFFOLD with the experiment choosing the nodes (N = the nodes the strategy has met so far)', async () => {
    const run = await runSimulation(data, new Scaffold({ globalLearningRate: GLOBAL_LEARNING_RATE }), selectFraction(0.5, { minNodes: 2 }));
    const met = (t: number) => new Set(run.participants.slice(0, t + 1).flat()).size;
    expect(met(ROUNDS - 1)).toBeGreaterThan(met(0));
    expectClose(run.weights, referenceScaffold(data, run.start, run.participants, met));
  }, 60_000);
});
