import * as tf from '@tensorflow/tfjs';
import { ArrayDataset } from '@fedbiomed/datasets';
import { selectFraction, type NodeSelection } from '@fedbiomed/researcher';
import { createSeededRng, Scaffold } from '@fedbiomed/strategy';
import { buildPlan } from '@fedbiomed/training';
import { Simulation } from './simulation';

tf.env().set('IS_TEST', true);

// SCAFFOLD end to end (the nodes' train handler and training loop, the strategy, the experiment)
// against an independent float64 implementation of Karimireddy et al. 2020, Algorithm 1, option II,
// on linear regression with exact full-batch gradients: every node holds another line, so local
// steps drift and the controls matter.
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

/**
 * Algorithm 1 over the rounds' participants. c is kept as the paper's invariant c = (1/N)·Σᵢ cᵢ
 * (nodes that never trained count as cᵢ = 0), with N = `population(t)` at round t; with N fixed
 * this is the paper's c ← c + (1/N)·Σ_{i∈S}(cᵢ⁺ − cᵢ). `population: null` drops the controls: plain
 * local SGD, FedAvg with a server learning rate.
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
      const node = data.find((d) => d.id === id)!;
      const ci = (population && controls.get(id)) || [0, 0, 0];
      let y = [...x];
      for (let k = 0; k < EPOCHS; k++) {
        const g = gradient(node, y);
        y = y.map((v, j) => v - LEARNING_RATE * (g[j]! - ci[j]! + c[j]!));
      }
      for (let j = 0; j < 3; j++) deltaX[j]! += (y[j]! - x[j]!) / selected.length;
      next.set(id, ci.map((v, j) => v - c[j]! + (x[j]! - y[j]!) / (EPOCHS * LEARNING_RATE)));
    }
    for (const [id, ci] of next) controls.set(id, ci);
    x = x.map((v, j) => v + GLOBAL_LEARNING_RATE * deltaX[j]!);
  });
  return x;
}

async function runSimulation(data: NodeData[], strategy: Scaffold, nodeSelection?: NodeSelection) {
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

describe('SCAFFOLD through a simulated federation equals a float64 reference of Algorithm 1', () => {
  const data = nodeData();

  it('with the strategy sampling half of the nodes it knows (N = all nodes, as in the paper)', async () => {
    const run = await runSimulation(data, new Scaffold({ fractionFit: 0.5, globalLearningRate: GLOBAL_LEARNING_RATE }));
    expect(run.participants.every((s) => s.length === NODES / 2)).toBe(true);
    const expected = referenceScaffold(data, run.start, run.participants, () => NODES);
    for (const [j, w] of run.weights.entries()) expect(w).toBeCloseTo(expected[j]!, 4);
    // The controls moved the result: plain local SGD with zero controls ends elsewhere.
    const withoutControls = referenceScaffold(data, run.start, run.participants, null);
    expect(Math.max(...run.weights.map((w, j) => Math.abs(w - withoutControls[j]!)))).toBeGreaterThan(0.01);
  }, 60_000);

  it('with the experiment choosing the nodes (N = the nodes the strategy has met so far)', async () => {
    const run = await runSimulation(data, new Scaffold({ globalLearningRate: GLOBAL_LEARNING_RATE }), selectFraction(0.5, { minNodes: 2 }));
    const met = (t: number) => new Set(run.participants.slice(0, t + 1).flat()).size;
    expect(met(ROUNDS - 1)).toBeGreaterThan(met(0));
    const expected = referenceScaffold(data, run.start, run.participants, met);
    for (const [j, w] of run.weights.entries()) expect(w).toBeCloseTo(expected[j]!, 4);
  }, 60_000);
});
