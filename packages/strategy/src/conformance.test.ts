import { runStrategyConformance } from './conformance';
import { DifferentialPrivacyServerSideAdaptiveClipping, DifferentialPrivacyServerSideFixedClipping } from './dp/server-side';
import { createStrategyRegistry } from './registry';
import { createSeededRng } from './rng';
import { FedAvg } from './strategies/fedavg';
import { FedProx } from './strategies/fedprox';
import { Bulyan, FedMedian, FedTrimmedAvg, Krum } from './strategies/robust';
import { Scaffold } from './strategies/scaffold';
import { FedAdagrad, FedAdam, FedAvgM, FedYogi } from './strategies/server-optimizers';

// Every built-in passes the suite third-party strategies run on themselves.
runStrategyConformance('FedAvg', () => new FedAvg());
runStrategyConformance('FedAvg (fail on invalid replies)', () => new FedAvg({ onInvalidReply: 'fail' }));
runStrategyConformance('FedAvg (half the nodes, seeded)', () => new FedAvg({ fractionFit: 0.5 }, { rng: createSeededRng(3) }));
runStrategyConformance('FedProx', () => new FedProx({ mu: 0.1 }));
runStrategyConformance('SCAFFOLD', () => new Scaffold({ globalLearningRate: 0.5 }));
runStrategyConformance('FedAvgM', () => new FedAvgM());
runStrategyConformance('FedAdagrad', () => new FedAdagrad());
runStrategyConformance('FedAdam', () => new FedAdam({ biasCorrection: true }));
runStrategyConformance('FedYogi', () => new FedYogi());
runStrategyConformance('FedMedian', () => new FedMedian());
runStrategyConformance('FedTrimmedAvg', () => new FedTrimmedAvg({ beta: 0.2 }));
runStrategyConformance('Krum', () => new Krum({ byzantineNodes: 1 }));
runStrategyConformance('Multi-Krum', () => new Krum({ byzantineNodes: 1, selected: 3 }));
// One reply of the invalid-reply cases is dropped: 8 nodes keep n ≥ 4f + 3 = 7.
runStrategyConformance('Bulyan', () => new Bulyan({ byzantineNodes: 1 }), { nodeCount: 8 });
// Noise draws are not part of a snapshot, so the breakpoint check runs these with z = 0; noise
// itself is tested in dp/server-side.test.ts.
runStrategyConformance('DP fixed clipping over FedAvg', () =>
  new DifferentialPrivacyServerSideFixedClipping(new FedAvg({ weighting: 'uniform' }), { noiseMultiplier: 0, clippingNorm: 0.5, numSampledNodes: 7 }, { rng: createSeededRng(1) }),
);
runStrategyConformance('DP adaptive clipping over FedAvg', () =>
  new DifferentialPrivacyServerSideAdaptiveClipping(new FedAvg({ weighting: 'uniform' }), { noiseMultiplier: 0, numSampledNodes: 7 }, { rng: createSeededRng(1) }),
);
runStrategyConformance('registry-built DP over FedMedian', () =>
  createStrategyRegistry().createStrategy('dp-server-fixed-clipping', {
    inner: { strategyName: 'fedmedian', config: {} },
    noiseMultiplier: 0,
    clippingNorm: 1,
    numSampledNodes: 7,
  }),
);
