import type { TrainingArgs, TrainingPlan } from '@fedbiomed/proto';
import { checkTrainingLimits, validatePlan, type PlanSpec } from '@fedbiomed/training';
import { ResearcherError } from './errors';
import { checkSchedule, learningRateAt, type LearningRateSchedule } from './learning-rate-schedule';

/** Arguments that fix each node's train/test split: the same for every round of an experiment. */
const FIXED_PER_EXPERIMENT = ['testRatio', 'randomSeed'] as const;
/** Arguments that are counts: non-negative integers. */
const COUNTS = ['epochs', 'numUpdates', 'batchSize', 'batchMaxnum', 'logInterval'] as const;

/**
 * The training arguments of each round: the experiment's arguments (changed between rounds by
 * `setTrainingArgs`) with the learning rate of the schedule, when there is one. Checked, when set,
 * against the limits of the plan, as the nodes will check them: a mistake fails at once, on the
 * researcher's side, rather than at every node in a later round.
 */
export class RoundTrainingArgs {
  #args: TrainingArgs;
  readonly #schedule: LearningRateSchedule | undefined;
  /** The plan's content; `undefined` for a plan this SDK cannot read, which the nodes then check alone. */
  readonly #spec: PlanSpec | undefined;

  constructor(args: TrainingArgs, schedule: LearningRateSchedule | undefined, plan: TrainingPlan) {
    this.#spec = readablePlan(plan);
    this.#schedule = schedule === undefined ? undefined : checkSchedule(schedule);
    if (this.#schedule !== undefined && this.#schedule.initial === undefined && this.#spec === undefined) {
      throw new ResearcherError('INVALID_OPTION', 'learningRateSchedule: give its initial learning rate; the plan\'s cannot be read');
    }
    checkShape(args, 'trainingArgs');
    this.#args = args;
  }

  /** The experiment's arguments without the schedule's learning rate (what breakpoints save). */
  get args(): TrainingArgs {
    return this.#args;
  }

  get schedule(): LearningRateSchedule | undefined {
    return this.#schedule;
  }

  /** The arguments sent to the nodes in `round` of an experiment of `rounds` rounds. */
  forRound(round: number, rounds: number): TrainingArgs {
    if (this.#schedule === undefined) return this.#args;
    const learningRate = learningRateAt(this.#schedule, round, { initial: this.#spec?.optimizer.learningRate ?? 0, rounds });
    return { ...this.#args, optimizer: { ...this.#args.optimizer, learningRate } };
  }

  /** Checks rounds `from` to `rounds` against the plan's limits; throws `INVALID_OPTION` naming the first violation. */
  checkLimits(from: number, rounds: number, where: string): void {
    if (this.#spec === undefined) return;
    for (let round = from; round <= rounds; round += 1) {
      const violation = checkTrainingLimits(this.#spec, this.forRound(round, rounds), round);
      if (violation !== undefined) throw new ResearcherError('INVALID_OPTION', `${where}: round ${round}: ${violation.message}; the nodes would refuse it`);
    }
  }

  /**
   * Merges `partial` into the arguments of the rounds from `from` on, after checking it and those
   * rounds against the plan's limits (nothing changes when a check fails).
   */
  update(partial: Partial<TrainingArgs>, from: number, rounds: number): void {
    const where = 'setTrainingArgs';
    checkShape(partial, where);
    for (const key of FIXED_PER_EXPERIMENT) {
      if (partial[key] !== undefined && partial[key] !== this.#args[key]) {
        throw new ResearcherError('INVALID_OPTION', `${where}: ${key} fixes each node's train/test split and cannot change during an experiment`);
      }
    }
    if (this.#schedule !== undefined && partial.optimizer?.learningRate !== undefined) {
      throw new ResearcherError('INVALID_OPTION', `${where}: the experiment's learningRateSchedule sets the learning rate of each round`);
    }
    const previous = this.#args;
    this.#args = { ...previous, ...partial, ...(partial.optimizer !== undefined && { optimizer: { ...previous.optimizer, ...partial.optimizer } }) };
    try {
      this.checkLimits(from, rounds, where);
    } catch (error) {
      this.#args = previous;
      throw error;
    }
  }
}

function readablePlan(plan: TrainingPlan): PlanSpec | undefined {
  try {
    return validatePlan(plan).spec;
  } catch {
    return undefined;
  }
}

function checkShape(args: Partial<TrainingArgs>, where: string): void {
  const fail = (message: string): never => {
    throw new ResearcherError('INVALID_OPTION', `${where}: ${message}`);
  };
  for (const key of COUNTS) {
    const value = args[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) fail(`${key} must be a non-negative integer, got ${value}`);
  }
  const learningRate = args.optimizer?.learningRate;
  if (learningRate !== undefined && !(Number(learningRate) > 0)) fail(`optimizer.learningRate must be positive, got ${learningRate}`);
  if (args.fedproxMu !== undefined && !(Number(args.fedproxMu) >= 0)) fail(`fedproxMu must be non-negative, got ${args.fedproxMu}`);
}
