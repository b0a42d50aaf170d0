import { ResearcherError } from './errors';

/**
 * A learning rate per round, as data: it is saved in breakpoints (a resumed experiment keeps it)
 * and written in CLI experiment files. `initial` is the rate of round 1 (default: the plan's
 * optimiser's learning rate).
 *
 * - `step`: `initial × factor^⌊(round − 1) / every⌋`, e.g. halved every 5 rounds.
 * - `exponential`: `initial × gamma^(round − 1)`.
 * - `cosine`: from `initial` at round 1 down to `min` at round `rounds` (default: the
 *   experiment's rounds) along half a cosine; `min` after that.
 */
export type LearningRateSchedule =
  | { readonly kind: 'step'; readonly initial?: number; readonly factor: number; readonly every: number }
  | { readonly kind: 'exponential'; readonly initial?: number; readonly gamma: number }
  | { readonly kind: 'cosine'; readonly initial?: number; readonly min: number; readonly rounds?: number };

/** A step decay: the rate times `factor` every `every` rounds. */
export function stepDecay(options: { every: number; factor: number; initial?: number }): LearningRateSchedule {
  return checkSchedule({ kind: 'step', ...options });
}

/** An exponential decay: the rate times `gamma` every round. */
export function exponentialDecay(options: { gamma: number; initial?: number }): LearningRateSchedule {
  return checkSchedule({ kind: 'exponential', ...options });
}

/** A cosine decay from the initial rate to `min` over `rounds` rounds (default: the experiment's). */
export function cosineDecay(options: { min: number; rounds?: number; initial?: number }): LearningRateSchedule {
  return checkSchedule({ kind: 'cosine', ...options });
}

/**
 * The learning rate of `round` (1-based). `initial` is the plan's learning rate, used when the
 * schedule names none; `rounds` the experiment's, for a cosine schedule that names none.
 */
export function learningRateAt(schedule: LearningRateSchedule, round: number, defaults: { readonly initial: number; readonly rounds: number }): number {
  const initial = schedule.initial ?? defaults.initial;
  const elapsed = round - 1;
  switch (schedule.kind) {
    case 'step':
      return initial * schedule.factor ** Math.floor(elapsed / schedule.every);
    case 'exponential':
      return initial * schedule.gamma ** elapsed;
    case 'cosine': {
      const span = (schedule.rounds ?? defaults.rounds) - 1;
      if (span <= 0) return initial;
      const progress = Math.min(elapsed / span, 1);
      return schedule.min + ((initial - schedule.min) * (1 + Math.cos(Math.PI * progress))) / 2;
    }
  }
}

/** Checks a schedule read from anywhere (options, an experiment file, a breakpoint); errors name the field. */
export function checkSchedule(value: unknown): LearningRateSchedule {
  const fail = (message: string): never => {
    throw new ResearcherError('INVALID_OPTION', `learningRateSchedule: ${message}`);
  };
  if (value === null || typeof value !== 'object') return fail('must be an object with a kind');
  const schedule = value as Record<string, unknown>;
  const allowed = { step: ['factor', 'every'], exponential: ['gamma'], cosine: ['min', 'rounds'] }[String(schedule['kind'])];
  if (allowed === undefined) return fail(`kind ${JSON.stringify(schedule['kind'])} is not one of step, exponential, cosine`);
  for (const key of Object.keys(schedule)) {
    if (key !== 'kind' && key !== 'initial' && !allowed.includes(key)) fail(`a ${String(schedule['kind'])} schedule takes no field "${key}" (fields: initial, ${allowed.join(', ')})`);
  }
  const positive = (key: string, required: boolean, integer = false): void => {
    const field = schedule[key];
    if (field === undefined && !required) return;
    if (typeof field !== 'number' || !(field > 0) || !Number.isFinite(field) || (integer && !Number.isInteger(field))) {
      fail(`${key} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(field)}`);
    }
  };
  positive('initial', false);
  if (schedule['kind'] === 'step') {
    positive('factor', true);
    positive('every', true, true);
  } else if (schedule['kind'] === 'exponential') {
    positive('gamma', true);
  } else {
    positive('min', true);
    positive('rounds', false, true);
  }
  return schedule as unknown as LearningRateSchedule;
}
