import * as tf from '@tensorflow/tfjs';
import { FedAvg } from '@fedbiomed/strategy';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { buildPlan, type TrainingLimits } from '@fedbiomed/training';
import { ResearcherError } from './errors';
import { Experiment } from './experiment';
import type { ExperimentOptions } from './experiment-options';
import { FakeFederation, pullToward } from './fake-federation.test.helper';
import { checkSchedule, cosineDecay, exponentialDecay, learningRateAt, stepDecay } from './learning-rate-schedule';

// tfjs's own switch for tests: no "install tfjs-node" banner in the test output.
tf.env().set('IS_TEST', true);

/** A real plan (built by @fedbiomed/training) on 2 features, learning rate 0.1, with `limits`. */
function plan(limits?: TrainingLimits) {
  const model = tf.sequential({ layers: [tf.layers.dense({ name: 'dense', inputShape: [2], units: 1, activation: 'sigmoid' })] });
  try {
    return buildPlan(model, { name: 'logreg', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 }, ...(limits !== undefined && { limits }) });
  } finally {
    model.dispose();
  }
}

// The round loop runs on an in-memory federation: what is under test is which arguments each round
// sends; the node's own checks of them run over real gRPC in @fedbiomed/node and @fedbiomed/cli.
function federation(): FakeFederation {
  const fed = new FakeFederation();
  for (const id of ['a', 'b']) fed.add({ id, name: `Hospital ${id}`, online: true, tags: ['wdbc'], train: pullToward(1, 10) });
  return fed;
}

const limits: TrainingLimits = { maxEpochs: 3, minBatchSize: 8, learningRate: { min: 0.001, max: 0.1 } };
const options = (server: FakeFederation, extra: Partial<ExperimentOptions> = {}): ExperimentOptions => ({
  tags: ['wdbc'],
  plan: plan(limits),
  strategy: new FedAvg(),
  rounds: 4,
  trainingArgs: { epochs: 1, batchSize: 16 },
  server,
  seed: 3,
  ...extra,
});
/** The learning rate and batch size node `a` was sent in each round so far. */
const sent = (server: FakeFederation) =>
  server.trainCalls.filter((task) => task.nodeId === 'a').map((task) => [task.round, Number(task.args.optimizer?.learningRate ?? 0), task.args.batchSize]);
const failure = (run: () => unknown): ResearcherError => {
  try {
    run();
  } catch (error) {
    return error as ResearcherError;
  }
  throw new Error('expected a failure');
};

const temps: TempDir[] = [];
afterEach(() => temps.splice(0).forEach((dir) => dir.dispose()));

describe('learning-rate schedules', () => {
  it('give each round its rate, from the plan when the schedule names no initial rate', () => {
    const at = (schedule: ReturnType<typeof stepDecay>) => [1, 2, 3, 4, 5].map((round) => learningRateAt(schedule, round, { initial: 0.1, rounds: 5 }));
    expect(at(stepDecay({ every: 2, factor: 0.5 }))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(at(exponentialDecay({ gamma: 0.5, initial: 0.08 }))).toEqual([0.08, 0.04, 0.02, 0.01, 0.005]);
    const cosine = at(cosineDecay({ min: 0.02 }));
    expect(cosine[0]).toBeCloseTo(0.1, 12);
    expect(cosine[2]).toBeCloseTo(0.06, 12);
    expect(cosine[4]).toBeCloseTo(0.02, 12);
  });

  it('are checked as data, naming the field at fault', () => {
    expect(() => checkSchedule({ kind: 'linear' })).toThrow(/kind "linear" is not one of step, exponential, cosine/);
    expect(() => stepDecay({ every: 1.5, factor: 0.5 })).toThrow(/every must be a positive integer, got 1.5/);
    expect(() => checkSchedule({ kind: 'exponential', gamma: 0.9, every: 2 })).toThrow(/takes no field "every"/);
  });
});

describe('training arguments per round', () => {
  it("sends each round the schedule's learning rate", async () => {
    const server = federation();
    const experiment = new Experiment(options(server, { rounds: 3, learningRateSchedule: exponentialDecay({ gamma: 0.5 }) }));
    await experiment.run();
    expect(sent(server)).toEqual([
      [1, 0.1, 16],
      [2, 0.05, 16],
      [3, 0.025, 16],
    ]);
  });

  it('applies setTrainingArgs from the next round, and a resumed experiment keeps the arguments and the schedule', async () => {
    const dir = makeTempDir('fedbiomed-training-args-');
    temps.push(dir);
    const server = federation();
    const experiment = new Experiment(options(server, { experimentDir: dir.path, learningRateSchedule: stepDecay({ every: 2, factor: 0.1 }) }));
    await experiment.runOnce();
    experiment.setTrainingArgs({ batchSize: 32, epochs: 2 });
    expect(experiment.trainingArgs).toMatchObject({ batchSize: 32, epochs: 2, optimizer: { learningRate: 0.1 } });
    await experiment.runOnce();
    experiment.close();

    const resumed = await Experiment.resume(dir.path, { server });
    await resumed.run();
    resumed.close();
    const rates = sent(server);
    expect(rates.map(([round, , batchSize]) => [round, batchSize])).toEqual([
      [1, 16],
      [2, 32],
      [3, 32],
      [4, 32],
    ]);
    expect(rates.map(([, rate]) => rate)).toEqual([0.1, 0.1, expect.closeTo(0.01, 12), expect.closeTo(0.01, 12)]);
    expect(server.trainCalls.filter((task) => task.nodeId === 'a').map((task) => task.args.epochs)).toEqual([1, 2, 2, 2]);
  });

  it("refuses, changing nothing, arguments beyond the plan's limits, naming the argument and the limit", () => {
    const experiment = new Experiment(options(federation()));
    expect(failure(() => experiment.setTrainingArgs({ batchSize: 4 })).message).toMatch(
      /setTrainingArgs: round 1: training argument batchSize = 4 is below the limit of plan "logreg" \(minBatchSize 8\); the nodes would refuse it/,
    );
    expect(failure(() => experiment.setTrainingArgs({ epochs: 4 })).message).toMatch(/epochs = 4 .*\(maxEpochs 3\)/);
    expect(failure(() => experiment.setTrainingArgs({ optimizer: { name: 'adam' } })).message).toMatch(/optimizer.name = adam/);
    expect(failure(() => experiment.setTrainingArgs({ testRatio: 0.3 })).message).toMatch(/testRatio fixes each node's train\/test split/);
    expect(experiment.trainingArgs).toMatchObject({ epochs: 1, batchSize: 16 });
    experiment.setTrainingArgs({ optimizer: { learningRate: 0.01 } });
    expect(experiment.trainingArgs.optimizer?.learningRate).toBe(0.01);
  });

  it("refuses a schedule that leaves the plan's learning-rate range in some round, or any rate change in a plan with no range", () => {
    const error = failure(() => new Experiment(options(federation(), { learningRateSchedule: exponentialDecay({ gamma: 0.01 }) })));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/new Experiment: round 3: training argument optimizer.learningRate = 0.00001 is outside the range .* \(learningRate \[0.001, 0.1\]\)/);
    const fixed = failure(() => new Experiment(options(federation(), { plan: plan(), learningRateSchedule: stepDecay({ every: 1, factor: 0.5 }) })));
    expect(fixed.message).toMatch(/round 2: .*\(no learningRate range, fixed at 0.1\)/);
  });
});
