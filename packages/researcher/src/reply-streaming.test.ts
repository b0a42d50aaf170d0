import { FedAdam, FedAvg, type FitFailure, type FitReplies, type FitResult } from '@fedbiomed/strategy';
import { ResearcherError } from './errors';
import { Experiment } from './experiment';
import type { ExperimentOptions } from './experiment-options';
import { FakeFederation, pullToward, type FakeTrainer } from './fake-federation.test.helper';

const plan = {
  plan: { canonicalJson: '{}', sha256: 'abc', kind: 'tfjs-layers', name: 'toy' },
  initialWeights: [
    { name: 'dense/kernel', shape: [2, 1], values: new Float32Array([0, 0]) },
    { name: 'dense/bias', shape: [1], values: new Float32Array([0]) },
  ],
};

/**
 * Watches what a real strategy is given. A stub is allowed here: it only observes the arguments of
 * `aggregateFit` (the aggregation itself stays the strategy's own), which no real part can report.
 */
class ReplyRecorder {
  /** Node ids, in the order the strategy read their replies, per round. */
  readonly received = new Map<number, string[]>();
  /** Rounds whose replies came as a list rather than a stream. */
  readonly lists: number[] = [];
  readonly #waiters: { round: number; nodeId: string; resolve: () => void }[] = [];

  constructor(strategy: FedAvg) {
    const aggregateFit = strategy.aggregateFit.bind(strategy);
    strategy.aggregateFit = (round: number, results: FitReplies, failures: readonly FitFailure[]) => {
      if (Array.isArray(results)) this.lists.push(round);
      return aggregateFit(round, this.#watch(round, results), failures);
    };
  }

  /** Resolves once the strategy has read the reply of `nodeId` in `round`. */
  whenRead(round: number, nodeId: string): Promise<void> {
    if (this.received.get(round)?.includes(nodeId) === true) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ round, nodeId, resolve }));
  }

  #watch(round: number, results: FitReplies): FitReplies {
    if (Array.isArray(results)) return results;
    const note = (reply: FitResult): void => {
      const list = this.received.get(round) ?? [];
      this.received.set(round, [...list, reply.nodeId]);
      for (const waiter of this.#waiters.filter((w) => w.round === round && w.nodeId === reply.nodeId)) waiter.resolve();
    };
    return (async function* (): AsyncGenerator<FitResult> {
      for await (const reply of results) {
        note(reply);
        yield reply;
      }
    })();
  }
}

/** A node that trains only after `before` resolves (or throws then, with `error`). */
function after(before: () => Promise<void>, train: FakeTrainer, error?: string): FakeTrainer {
  return async (task) => {
    await before();
    if (error !== undefined) throw new Error(error);
    return train(task);
  };
}

function federation(trainers: Record<string, FakeTrainer>): FakeFederation {
  const fed = new FakeFederation();
  for (const [id, train] of Object.entries(trainers)) fed.add({ id, name: `Hospital ${id}`, online: true, tags: ['heart'], train });
  return fed;
}

function options(server: FakeFederation, strategy: FedAvg, extra: Partial<ExperimentOptions> = {}): ExperimentOptions {
  return {
    tags: ['heart'],
    plan,
    strategy,
    rounds: 2,
    trainingArgs: { numUpdates: 1, randomSeed: 0 },
    server,
    seed: 7,
    // A node waiting on a reply that never reaches the strategy hits this deadline and the
    // assertions below then fail, instead of the test hanging.
    roundTimeoutMs: 10_000,
    ...extra,
  };
}

const ids = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
const targets = [1, 2, 3, 5, 8, 13];

describe('round runner reply streaming', () => {
  it('hands each reply to FedAvg before the next node finishes training', async () => {
    // Prepare: node i trains only once the strategy has read node i−1's reply. A runner that
    // collected every reply first would leave n1..n5 waiting until their deadline.
    const strategy = new FedAvg();
    const recorder = new ReplyRecorder(strategy);
    const trainers = Object.fromEntries(
      ids.map((id, i) => {
        const train = pullToward(targets[i] as number, 10 * (i + 1));
        return [id, i === 0 ? train : after(() => recorder.whenRead(1, ids[i - 1] as string), train)];
      }),
    );
    const streamed = new Experiment(options(federation(trainers), strategy, { rounds: 1, minNodes: ids.length }));
    const reference = new Experiment(
      options(federation(Object.fromEntries(ids.map((id, i) => [id, pullToward(targets[i] as number, 10 * (i + 1))]))), new FedAvg(), { rounds: 1 }),
    );

    // Execute
    const [result] = await streamed.run();
    const [expected] = await reference.run();

    // Validate: one reply at a time, in training order, and the same model and results as a
    // federation whose nodes all answer at once.
    expect(recorder.received.get(1)).toEqual(ids);
    expect(recorder.lists).toEqual([]);
    expect(result?.failures).toEqual([]);
    expect(Array.from(streamed.weights)).toEqual(Array.from(reference.weights));
    expect(result?.fitMetrics).toEqual(expected?.fitMetrics);
    expect(result?.metricsAfter).toEqual(expected?.metricsAfter);
    expect(result?.nodes.map((n) => [n.nodeId, n.sampleCount, n.metricsAfter])).toEqual(expected?.nodes.map((n) => [n.nodeId, n.sampleCount, n.metricsAfter]));
    streamed.close();
    reference.close();
  });

  it('leaves a stateful strategy untouched when a streamed round ends below minNodes', async () => {
    // Prepare: in round 2, node b fails after FedAdam has already read node a's reply.
    const strategy = new FedAdam({ eta: 0.1 });
    const recorder = new ReplyRecorder(strategy);
    let calls = 0;
    const failInRoundTwo: FakeTrainer = async (task) => {
      calls += 1;
      if (calls === 2) return after(() => recorder.whenRead(2, 'a'), pullToward(8, 30), 'disk full')(task);
      return pullToward(8, 30)(task);
    };
    const experiment = new Experiment(options(federation({ a: pullToward(2, 10), b: failInRoundTwo }), strategy, { rounds: 3, minNodes: 2 }));
    await experiment.runOnce();
    const stateBefore = JSON.stringify(strategy.toJSON());
    const weightsBefore = Array.from(experiment.weights);

    // Execute
    const failure = await experiment.runOnce().catch((error: unknown) => error);

    // Validate
    expect(failure).toBeInstanceOf(ResearcherError);
    expect((failure as ResearcherError).code).toBe('ROUND_FAILED');
    expect(recorder.received.get(2)).toEqual(['a']);
    expect(JSON.stringify(strategy.toJSON())).toBe(stateBefore);
    expect(Array.from(experiment.weights)).toEqual(weightsBefore);
    expect(experiment.round).toBe(1);
    experiment.close();
  });

  it('gives the replies as a list to a strategy that rejects rounds with failures', async () => {
    // Prepare: FedAvg with acceptFailures=false reads the failure list when aggregateFit starts,
    // so streaming would aggregate node a alone before node b's failure is known.
    const strategy = new FedAvg({ acceptFailures: false });
    const recorder = new ReplyRecorder(strategy);
    let aReplied: () => void = () => undefined;
    const aDone = new Promise<void>((resolve) => (aReplied = resolve));
    const a: FakeTrainer = async (task) => {
      const reply = await pullToward(2, 10)(task);
      aReplied();
      return reply;
    };
    const experiment = new Experiment(options(federation({ a, b: after(() => aDone, pullToward(8, 30), 'disk full') }), strategy, { rounds: 1 }));

    // Execute
    const [result] = await experiment.run();

    // Validate: the strategy saw the failure and kept the old model.
    expect(recorder.lists).toEqual([1]);
    expect(result?.failures.map((f) => [f.nodeId, f.code])).toEqual([['b', 'UNAVAILABLE']]);
    expect(Array.from(experiment.weights)).toEqual([0, 0, 0]);
    experiment.close();
  });
});
