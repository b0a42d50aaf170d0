// Type-level test: `npx tsc -b packages/strategy` compiles this file, so each constructor must
// accept its own strategy's options (and `config` must expose them) or the build fails. The
// `@ts-expect-error` lines fail the build if a constructor ever falls back to a looser type.
import { FedAvg } from './fedavg';
import { FedProx } from './fedprox';
import { Bulyan, FedMedian, FedTrimmedAvg, Krum } from './robust';
import { Scaffold } from './scaffold';
import { FedAdagrad, FedAdam, FedAvgM, FedYogi } from './server-optimizers';

describe('strategy constructors take their own options', () => {
  it('server optimisers: FedAdam, FedAdagrad, FedYogi, FedAvgM', () => {
    const adam = new FedAdam({ eta: 0.01, beta1: 0.8, beta2: 0.95, tau: 1e-4, biasCorrection: true, weighting: 'uniform' });
    expect([adam.config.eta, adam.config.beta1, adam.config.beta2, adam.config.tau, adam.config.biasCorrection]).toEqual([0.01, 0.8, 0.95, 1e-4, true]);
    expect(adam.config.weighting).toBe('uniform');
    expect(new FedAdagrad({ eta: 0.5, tau: 0.01 }).config).toMatchObject({ eta: 0.5, tau: 0.01 });
    expect(new FedYogi({ eta: 0.02, beta2: 0.9 }).config).toMatchObject({ eta: 0.02, beta2: 0.9 });
    const avgm = new FedAvgM({ serverLearningRate: 0.7, serverMomentum: 0.5 });
    expect([avgm.config.serverLearningRate, avgm.config.serverMomentum]).toEqual([0.7, 0.5]);
  });

  it('FedProx, SCAFFOLD and the robust rules', () => {
    expect(new FedProx({ mu: 0.1 }).config.mu).toBe(0.1);
    expect(new Scaffold({ globalLearningRate: 0.5 }).config.globalLearningRate).toBe(0.5);
    expect(new FedTrimmedAvg({ beta: 0.1 }).config.beta).toBe(0.1);
    expect(new Krum({ byzantineNodes: 2, selected: 3 }).config).toMatchObject({ byzantineNodes: 2, selected: 3 });
    expect(new Bulyan({ byzantineNodes: 1 }).config.byzantineNodes).toBe(1);
    expect(new FedMedian({ onInvalidReply: 'fail' }).config.onInvalidReply).toBe('fail');
  });

  it("refuses (at compile time) another strategy's options; at run time they are dropped", () => {
    // @ts-expect-error `eta` belongs to the FedOpt family, not to FedAvg.
    const avg = new FedAvg({ eta: 0.01 });
    // @ts-expect-error `mu` belongs to FedProx, not to FedAdam.
    const adam = new FedAdam({ mu: 0.1 });
    // @ts-expect-error `eta` is spelled `serverLearningRate` in FedAvgM.
    const avgm = new FedAvgM({ eta: 0.1 });
    expect(avg.config).not.toHaveProperty('eta');
    expect(adam.config).not.toHaveProperty('mu');
    expect(avgm.config).not.toHaveProperty('eta');
  });

  it('fromJSON gives back the subclass with its config', () => {
    const adam = FedAdam.fromJSON(new FedAdam({ eta: 0.03 }).toJSON());
    expect(adam).toBeInstanceOf(FedAdam);
    expect(adam.config.eta).toBe(0.03);
  });
});
