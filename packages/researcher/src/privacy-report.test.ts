import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeDpEpsilon, createStrategyRegistry } from '@fedbiomed/strategy';
import { makeTempDir } from '@fedbiomed/test-utils';
import { Experiment } from './experiment';
import type { ExperimentEvent } from './experiment-events';
import { FakeFederation, pullToward } from './fake-federation.test.helper';
import { selectFraction } from './node-selection';
import { describeRoundPrivacy } from './privacy-report';

const plan = {
  plan: { canonicalJson: '{}', sha256: 'abc', kind: 'tfjs-layers', name: 'toy' },
  initialWeights: [{ name: 'dense/kernel', shape: [2, 1], values: new Float32Array([0, 0]) }],
};

// In-memory federation (the round loop is under test, not the network; the node side's ε and the
// CLI are tested over gRPC with real node processes in packages/cli/src/privacy-report.test.ts).
describe('server-side DP: ε per round and so far in the experiment events and monitoring files', () => {
  it('publishes a privacy event after each round with q = sampled / candidate nodes and the RDP composition of the rounds', async () => {
    const server = new FakeFederation();
    for (const id of ['a', 'b', 'c', 'd']) server.add({ id, name: `Hospital ${id}`, online: true, tags: ['heart'], train: pullToward(1, 100) });
    const dir = makeTempDir('fedbiomed-privacy-report-');
    try {
      const strategy = createStrategyRegistry().createStrategy('dp-server-fixed-clipping', {
        inner: { strategyName: 'fedavg', config: {} },
        noiseMultiplier: 0.8,
        clippingNorm: 10,
        numSampledNodes: 2,
      });
      const experiment = new Experiment({
        tags: ['heart'],
        plan,
        strategy,
        rounds: 3,
        trainingArgs: { numUpdates: 1, batchSize: 4, dp: { delta: 1e-6 } },
        nodeSelection: selectFraction(0.5, { minNodes: 2 }),
        server,
        seed: 3,
        experimentDir: dir.path,
        saveBreakpoints: false,
      });
      const events: ExperimentEvent[] = [];
      experiment.subscribe((event) => events.push(event));
      await experiment.run();
      experiment.close();

      const privacy = events.filter((e): e is Extract<ExperimentEvent, { type: 'privacy' }> => e.type === 'privacy');
      expect(privacy.map((e) => e.round)).toEqual([1, 2, 3]);
      const epsilon = (rounds: number) => computeDpEpsilon({ samplingRate: 0.5, noiseMultiplier: 0.8, steps: rounds, delta: 1e-6 }).epsilon;
      privacy.forEach((event, i) => {
        expect(event.server).toMatchObject({ samplingRate: 0.5, noiseMultiplier: 0.8, delta: 1e-6 });
        expect(event.server!.epsilonRound).toBeCloseTo(epsilon(1), 10);
        expect(event.server!.epsilonCumulative).toBeCloseTo(epsilon(i + 1), 10);
        expect(event.nodes).toEqual([]);
      });
      // The event comes right after the round's result, which carries the same values.
      const completed = events.findIndex((e) => e.type === 'round-completed');
      expect(events[completed + 1]?.type).toBe('privacy');
      expect(experiment.results[2]!.privacy!.epsilonCumulative).toBeCloseTo(epsilon(3), 10);
      expect(describeRoundPrivacy(privacy[2]!)).toEqual([
        `round 3 privacy server-side DP: ε = ${epsilon(1).toFixed(3)} this round, ${epsilon(3).toFixed(3)} so far at δ = 0.000001 (node-level, q = 0.500, z = 0.8)`,
      ]);
      const csv = readFileSync(join(dir.path, 'metrics.csv'), 'utf8');
      expect(csv).toContain(`3,*,*,privacy,epsilon_cumulative,${experiment.results[2]!.privacy!.epsilonCumulative},`);
    } finally {
      dir.dispose();
    }
  });
});
