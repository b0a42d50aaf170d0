import { coxPh } from './cox';
import { binaryCrossentropy, categoricalCrossentropy, focal, sparseCategoricalCrossentropy } from './cross-entropy';
import type { LossDefinition } from './loss-definition';
import { dice, huber, mae, mse, poisson } from './value-losses';

/** The losses every process knows: registered on the loss registry's first use. */
export function builtinLosses(): readonly LossDefinition[] {
  return [binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, focal, mse, mae, huber, poisson, dice, coxPh] as readonly LossDefinition[];
}
