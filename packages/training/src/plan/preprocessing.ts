import { describeZodIssues } from '@fedbiomed/datasets';
import { z } from 'zod';

import { TrainingError } from '../errors';
import type { PlanSpec } from './plan-spec';

/**
 * Where a plan's `standardize` step takes its mean and standard deviation from:
 * - `federated` (the default): pooled over the train splits of every participating node before the
 *   first round and sent with each request, so all nodes, and the exported model, standardise alike;
 * - `local`: each node fits its own train split. No single standardisation exists, so such a model
 *   cannot be exported with its preprocessing;
 * - `global`: the plan itself holds them (`mean`, `scale`, `sampleCount`, and the hash of the
 *   analytics query they came from), so they are part of its approval hash, every node applies
 *   exactly what its operator approved, and the exported model carries them.
 */
export const STANDARDIZE_STATISTICS = ['federated', 'local', 'global'] as const;
/** One of {@link STANDARDIZE_STATISTICS}. */
export type StandardizeStatistics = (typeof STANDARDIZE_STATISTICS)[number];

/** Preprocessing steps a plan may name. */
export const PREPROCESSING_NAMES = ['standardize'] as const;

const finite = z.array(z.number().finite()).min(1);
/** Read first, so that an unknown value is named as such, then the parameters of that kind. */
const statisticsKind = z.object({ statistics: z.enum(STANDARDIZE_STATISTICS).default('federated') });
const gatheredParams = z.strictObject({ statistics: z.enum(['federated', 'local']).default('federated') });
const globalParams = z
  .strictObject({
    statistics: z.literal('global'),
    /** Per flattened feature. */
    mean: finite,
    /** Divisor per flattened feature (population standard deviation, 1 for a constant feature). */
    scale: finite.refine((scale) => scale.every((s) => s > 0), 'every scale must be positive'),
    /** Rows, over all nodes, the statistics were pooled from. */
    sampleCount: z.number().positive(),
    /** SHA-256 of the analytics query that computed them, when one did. */
    query: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256').optional(),
  })
  .refine((params) => params.mean.length === params.scale.length, { message: 'mean and scale must have one value per feature each', path: ['scale'] });

/** A plan's `standardize` step with its parameters resolved. */
export type StandardizeStep =
  | { readonly statistics: 'federated' | 'local' }
  | {
      readonly statistics: 'global';
      readonly mean: readonly number[];
      readonly scale: readonly number[];
      readonly sampleCount: number;
      readonly query?: string;
    };

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
    const kind = statisticsKind.safeParse(step.params);
    const parsed = !kind.success ? kind : kind.data.statistics === 'global' ? globalParams.safeParse(step.params) : gatheredParams.safeParse(step.params);
    if (!parsed.success) {
      throw new TrainingError('INVALID_ARGUMENT', `plan "${spec.name}": preprocessing[${index}] "standardize" params: ${describeZodIssues(parsed.error.issues, step.params, { subject: 'param' }).join('; ')}`);
    }
    if (found !== undefined) throw new TrainingError('INVALID_ARGUMENT', `plan "${spec.name}": "standardize" is declared twice`);
    found = parsed.data;
  });
  return found;
}
