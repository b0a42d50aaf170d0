import assert from 'node:assert/strict';
import { StrategyError, StrategyErrorCode } from './errors';
import { createLayout, type ParameterLayout } from './parameters';
import { createSeededRng } from './rng';
import type { FitAggregate, FitInstruction, FitResult, GlobalModel, Strategy, StrategySnapshot } from './types';

/** Options of {@link runStrategyConformance}. */
export interface ConformanceOptions {
  /** Nodes per round (default 7: enough for Krum and Bulyan with f = 1). */
  readonly nodeCount?: number;
  /** Rebuilds a strategy from a snapshot (default: a fresh `create()` then `loadState`). */
  readonly restore?: (snapshot: StrategySnapshot) => Strategy;
}

const layout: ParameterLayout = createLayout([
  { name: 'dense/kernel', shape: [3, 4] },
  { name: 'dense/bias', shape: [4] },
  { name: 'scale', shape: [] },
]);

function globalModel(): GlobalModel {
  const rng = createSeededRng(1);
  return { layout, weights: Float32Array.from({ length: layout.size }, () => rng.nextGaussian()) };
}

/** Honest replies: the global weights plus a small deterministic step; aux arrays echo the request's. */
function repliesFor(instructions: readonly FitInstruction[], model: GlobalModel, seed: number): FitResult[] {
  const rng = createSeededRng(seed);
  return instructions.map((instruction, index) => {
    const weights = model.weights.map((w) => w + 0.1 * rng.nextGaussian());
    const aux: Record<string, Float32Array> = {};
    for (const [key, values] of Object.entries(instruction.aux)) aux[key] = values.map((v) => v + 0.01 * rng.nextGaussian());
    return { nodeId: instruction.nodeId, sampleCount: 10 * (index + 1), datasetSize: 7 * (index + 1), weights, aux, metrics: { loss: index + 1 } };
  });
}

async function* stream<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

async function runRound(strategy: Strategy, round: number, nodes: readonly string[], seed: number, tamper?: (replies: FitResult[]) => FitResult[]) {
  const model = globalModel();
  const instructions = strategy.configureFit(round, model, nodes);
  const replies = repliesFor(instructions, model, seed);
  return strategy.aggregateFit(round, tamper ? tamper(replies) : replies, []);
}

/** The round's outcome, or the error it failed with. */
function settle(outcome: Promise<FitAggregate | null>): Promise<FitAggregate | null | Error> {
  return outcome.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

function isCode(error: unknown, code: StrategyErrorCode): boolean {
  return error instanceof StrategyError && error.code === code;
}

/**
 * The behaviour every {@link Strategy} must show, as jest (or any `describe`/`it` runner) tests.
 * Call it inside a test file with a factory of fresh, deterministic strategies (seeded RNG):
 *
 * ```ts
 * runStrategyConformance('my-strategy', () => new MyStrategy({ ... }));
 * ```
 *
 * It checks names and snapshots, node selection, aggregation of lists and streams to the same
 * bits, determinism, NaN/Infinity/wrong-length replies (dropped or failed with the right code,
 * never averaged in), empty reply sets, unopened rounds, breakpoint round-trips (JSON with Float32Array leaves) and
 * sample-weighted evaluation averages.
 */
export function runStrategyConformance(label: string, create: () => Strategy, options: ConformanceOptions = {}): void {
  const nodes = Array.from({ length: options.nodeCount ?? 7 }, (_, i) => `node-${String.fromCharCode(97 + i)}`);
  const restore = options.restore ?? ((snapshot: StrategySnapshot) => {
    const strategy = create();
    strategy.loadState(snapshot.state);
    return strategy;
  });

  describe(`strategy conformance: ${label}`, () => {
    it('has a stable name, recorded in its snapshot', () => {
      const strategy = create();
      assert.ok(strategy.strategyName.length > 0);
      assert.equal(strategy.toJSON().strategyName, strategy.strategyName);
    });

    it('asks only offered nodes, each once', () => {
      const instructions = create().configureFit(1, globalModel(), nodes);
      const ids = instructions.map((instruction) => instruction.nodeId);
      assert.ok(ids.length > 0);
      assert.equal(new Set(ids).size, ids.length);
      for (const id of ids) assert.ok(nodes.includes(id), `unexpected node ${id}`);
      for (const instruction of instructions) for (const values of Object.values(instruction.aux)) assert.equal(values.length, layout.size);
    });

    it('aggregates a list and a stream of the same replies to the same finite bits', async () => {
      const fromList = await runRound(create(), 1, nodes, 7);
      const model = globalModel();
      const streaming = create();
      const replies = repliesFor(streaming.configureFit(1, model, nodes), model, 7);
      const fromStream = await streaming.aggregateFit(1, stream(replies), []);
      assert.ok(fromList !== null && fromStream !== null);
      assert.equal(fromList.weights.length, layout.size);
      for (const value of fromList.weights) assert.ok(Number.isFinite(value));
      assert.deepEqual(Array.from(fromStream.weights), Array.from(fromList.weights));
    });

    for (const [what, value] of [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
      it(`never averages a reply holding ${what}: drops it or fails with NON_FINITE`, async () => {
        let poisoned = '';
        const outcome = await settle(runRound(create(), 1, nodes, 3, (replies) => {
          const first = replies[0]!;
          poisoned = first.nodeId;
          const weights = first.weights.slice();
          weights[13] = value;
          return [{ ...first, weights }, ...replies.slice(1)];
        }));
        if (outcome instanceof Error) {
          assert.ok(isCode(outcome, StrategyErrorCode.NON_FINITE), String(outcome));
          assert.match(outcome.message, /dense\/bias/);
          return;
        }
        assert.ok(outcome !== null);
        assert.ok(!outcome.acceptedNodes.includes(poisoned));
        for (const w of outcome.weights) assert.ok(Number.isFinite(w));
      });
    }

    it('drops or fails a reply of the wrong length with LAYOUT_MISMATCH', async () => {
      const outcome = await settle(runRound(create(), 1, nodes, 4, (replies) => [{ ...replies[0]!, weights: new Float32Array(3) }, ...replies.slice(1)]));
      if (outcome instanceof Error) assert.ok(isCode(outcome, StrategyErrorCode.LAYOUT_MISMATCH), String(outcome));
      else assert.ok(outcome !== null && outcome.droppedReplies.length === 1);
    });

    it('fails an empty reply set with EMPTY_REPLY_SET', async () => {
      const strategy = create();
      strategy.configureFit(1, globalModel(), nodes);
      await assert.rejects(strategy.aggregateFit(1, [], []), (error) => isCode(error, StrategyErrorCode.EMPTY_REPLY_SET));
    });

    it('refuses to aggregate a round configureFit did not open', async () => {
      await assert.rejects(create().aggregateFit(1, [], []), (error) => isCode(error, StrategyErrorCode.ROUND_NOT_CONFIGURED));
    });

    it('gives the same bits for the same inputs', async () => {
      const first = await runRound(create(), 1, nodes, 5);
      const second = await runRound(create(), 1, nodes, 5);
      assert.deepEqual(Array.from(second!.weights), Array.from(first!.weights));
    });

    it('resumes from a breakpoint (JSON with Float32Array leaves) exactly', async () => {
      const original = create();
      await runRound(original, 1, nodes, 8);
      const snapshot = breakpointRoundTrip(original.toJSON());
      const restored = restore(snapshot);
      assert.deepEqual(breakpointRoundTrip(restored.toJSON()), snapshot);
      const next = await runRound(original, 2, nodes, 9);
      const resumed = await runRound(restored, 2, nodes, 9);
      assert.deepEqual(Array.from(resumed!.weights), Array.from(next!.weights));
    });

    it('averages evaluation metrics weighted by samples, null when there is none', () => {
      const strategy = create();
      const aggregate = strategy.aggregateEvaluate(1, [
        { nodeId: nodes[0]!, sampleCount: 1, metrics: { loss: 1 } },
        { nodeId: nodes[1]!, sampleCount: 3, metrics: { loss: 5, accuracy: 0.5 } },
      ], []);
      assert.ok(aggregate !== null);
      assert.equal(aggregate.metrics['loss'], 4);
      assert.equal(aggregate.metrics['accuracy'], 0.5);
      assert.equal(strategy.aggregateEvaluate(1, [], []), null);
    });
  });
}

/**
 * A snapshot as a breakpoint gives it back: through JSON, Float32Array leaves kept bit for bit, and
 * anything else JSON cannot hold lost, as it would be.
 */
function breakpointRoundTrip(snapshot: StrategySnapshot): StrategySnapshot {
  const text = JSON.stringify(snapshot, (_key, value: unknown) =>
    value instanceof Float32Array ? { $float32: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') } : value,
  );
  return JSON.parse(text, (_key, value: unknown) => {
    const encoded = (value as { $float32?: unknown } | null)?.$float32;
    if (typeof encoded !== 'string') return value;
    const bytes = Buffer.from(encoded, 'base64');
    const floats = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(floats.buffer).set(bytes);
    return floats;
  }) as StrategySnapshot;
}
