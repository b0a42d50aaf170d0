import type { MetricDefinition } from '@fedbiomed/training';

/** Sensitivity (recall of the positive class): the fraction of positive samples predicted positive; 0 without positives. */
export const sensitivity: MetricDefinition = {
  name: 'sensitivity',
  description: 'fraction of positives predicted positive',
  needs: 'classes',
  higherIsBetter: true,
  compute: ({ yTrue, yPred }) => {
    const positives = yTrue.filter((y) => y === 1).length;
    return positives === 0 ? 0 : yTrue.filter((y, i) => y === 1 && yPred[i] === 1).length / positives;
  },
};
