import { describeZodIssues } from '@fedbiomed/datasets';
import { z } from 'zod';

import { TrainingError } from '../errors';
import type { PlanSpec } from './plan-spec';

/**
 * Where a plan's `standardize` step takes its mean and standard deviation from:
 * - `federated` (the default): pooled over the train splits of every participating node before the
 *   first round and sent with each request, so all nodes, and the exported model, standardise alike;
 * - `local`: each node fits its own train split. No single standardisation exists, so such a model
 *   cannot be exported with its preprocessing.
 */
export const STANDARDIZE_STATISTICS = ['federated', 'local'] as const;
/** One of {@link STANDARDIZE_STATISTICS}. */
export type StandardizeStatistics = (typeof STANDARDIZE_STATISTICS)[number];

/** Preprocessing steps a plan may name. */
export const PREPROCESSING_NAMES = ['standardize'] as const;

const standardizeParams = z.strictObject({ statistics: z.enum(STANDARDIZE_STATISTICS).default('federated') });

/** A plan's `standardize` step with its parameters resolved. */
export interface StandardizeStep {
  readonly statistics: StandardizeStatistics;
}

/**
 * The plan's `standardize` step, or `undefined` when it declares none. Throws a
 * {@link TrainingError} (`INVALID_ARGUMENT`) naming the plan and the step for an unknown step name,
 * an unknown parameter or an unknown `statistics` value.
 */
export function standardizeStep(spec: Pick<PlanSpec, 'name' | 'preprocessing'>): StandardizeStep | undefined {
  let found: StandardizeStep | undefined;
  spec.preprocessing.forEach((step, index) => {
    if (!(PREPROCESSING_NAMES as readonly string[]).includes(step.name)) {
      throw new TrainingError(
        'INVALID_ARGUMENT',
        `plan "${spec.name}": preprocessing[${index}] is "${step.name}"; known steps: ${PREPROCESSING_NAMES.join(', ')}`,
      );
    }
    const parsed = standardizeParams.safeParse(step.params);
    if (!parsed.success) {
      throw new TrainingError('INVALID_ARGUMENT', `plan "${spec.name}": preprocessing[${index}] "standardize" params: ${describeZodIssues(parsed.error.issues, step.params, { subject: 'param' }).join('; ')}`);
    }
    if (found !== undefined) throw new TrainingError('INVALID_ARGUMENT', `plan "${spec.name}": "standardize" is declared twice`);
    found = parsed.data;
  });
  return found;
}
