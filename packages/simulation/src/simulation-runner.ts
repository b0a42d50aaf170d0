import type { Dataset } from '@fedbiomed/datasets';
import { buildGlobalModel, Experiment, type ExperimentOptions, type Federation, type ResumeCollaborators } from '@fedbiomed/researcher';
import { evaluateModel, validatePlan, type Evaluation } from '@fedbiomed/training';

/**
 * A simulation's default round deadline: 7 days. Virtual nodes train one after another, so a
 * wall-clock deadline meant for nodes training side by side (the `Experiment` default is 10
 * minutes) would cut the last ones out of every long round. (Node timers stop at 2³¹ − 1 ms, about
 * 24.8 days, and the round runner adds a margin to it.)
 */
export const SIMULATION_ROUND_TIMEOUT_MS = 7 * 24 * 3600 * 1000;

/** What {@link SimulationRunner.evaluateCentrally} returns: the metrics on the held-out set. */
export type CentralEvaluation = Evaluation;

/**
 * What every simulation offers over its federation, wherever its virtual nodes run (this thread:
 * `Simulation`; worker threads: `WorkerSimulation`): experiments, resumed experiments and a
 * researcher-side test set.
 */
export abstract class SimulationRunner {
  /** What every experiment of this simulation talks to. */
  readonly federation: Federation;

  protected constructor(federation: Federation) {
    this.federation = federation;
  }

  /**
   * A new experiment over this simulation's nodes; every option but `server` as for `new Experiment`,
   * `roundTimeoutMs` defaulting to {@link SIMULATION_ROUND_TIMEOUT_MS}.
   */
  experiment(options: Omit<ExperimentOptions, 'server'>): Experiment {
    return new Experiment({ roundTimeoutMs: SIMULATION_ROUND_TIMEOUT_MS, ...options, server: this.federation });
  }

  /**
   * Rebuilds the experiment whose breakpoints are in `dir` (its `experimentDir`) over this
   * simulation's nodes, as `Experiment.resume` does over a server. The nodes must be those of the
   * interrupted run: same partition and seed, and the same `stateDir` when nodes keep state between
   * rounds (error feedback, privacy spent), else that state starts again from zero.
   *
   * @throws ResearcherError BREAKPOINT_INVALID when `dir` holds no usable breakpoint
   */
  resumeExperiment(dir: string, collaborators: Omit<ResumeCollaborators, 'server'> = {}): Promise<Experiment> {
    return Experiment.resume(dir, { ...collaborators, server: this.federation });
  }

  /**
   * Evaluates an experiment's current global model on a held-out dataset kept by the researcher
   * (e.g. MNIST's test set in a benchmark), as simulation studies report accuracy.
   */
  async evaluateCentrally(experiment: Experiment, dataset: Dataset, metrics?: readonly string[]): Promise<CentralEvaluation> {
    const { spec } = validatePlan(experiment.plan);
    const model = await buildGlobalModel(experiment.plan, experiment.layout, experiment.weights);
    try {
      return await evaluateModel({ model, loss: spec.loss, metrics: metrics ?? spec.metrics, dataset });
    } finally {
      model.dispose();
    }
  }
}
