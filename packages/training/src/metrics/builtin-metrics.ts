import { accuracy, balancedAccuracy, f1, precision, recall, rocAuc, rocAucOvr, type Average } from './classification';
import type { ClassPredictions, MetricDefinition } from './metric-definition';
import { explainedVariance, meanAbsoluteError, meanSquaredError, r2 } from './regression';
import { concordanceIndex } from './survival';

function classMetric(name: string, description: string, compute: (p: ClassPredictions) => number): MetricDefinition {
  return { name, description, needs: 'classes', higherIsBetter: true, compute };
}

function averagedMetrics(base: 'precision' | 'recall' | 'f1', score: typeof precision): MetricDefinition[] {
  const variants: [string, Average][] = [
    [base, 'binary'],
    [`${base}_macro`, 'macro'],
    [`${base}_weighted`, 'weighted'],
  ];
  return variants.map(([name, average]) =>
    classMetric(name, `${base} (scikit-learn, average=${average}, zero_division=0)`, ({ yTrue, yPred }) => score(yTrue, yPred, average)),
  );
}

/** ROC AUC of class 1 for one or two outputs, one-vs-rest macro average beyond. */
function rocAucOf({ yTrue, probabilities, width }: ClassPredictions): number {
  if (width === 1) return rocAuc(yTrue, probabilities);
  if (width === 2) return rocAuc(yTrue, probabilities.filter((_, i) => i % 2 === 1));
  return rocAucOvr(yTrue, probabilities, width);
}

/** The metrics every process knows, named as scikit-learn's: registered on the metric registry's first use. */
export function builtinMetrics(): readonly MetricDefinition[] {
  return [
    classMetric('accuracy', 'fraction of samples whose predicted class is the true one', ({ yTrue, yPred }) => accuracy(yTrue, yPred)),
    classMetric('balanced_accuracy', 'mean recall over the classes present', ({ yTrue, yPred }) => balancedAccuracy(yTrue, yPred)),
    ...averagedMetrics('precision', precision),
    ...averagedMetrics('recall', recall),
    ...averagedMetrics('f1', f1),
    classMetric('roc_auc', 'area under the ROC curve (one-vs-rest macro average beyond two classes)', rocAucOf),
    { name: 'mse', description: 'mean squared error', needs: 'values', higherIsBetter: false, compute: ({ yTrue, yPred }) => meanSquaredError(yTrue, yPred) },
    { name: 'mae', description: 'mean absolute error', needs: 'values', higherIsBetter: false, compute: ({ yTrue, yPred }) => meanAbsoluteError(yTrue, yPred) },
    { name: 'r2', description: 'coefficient of determination', needs: 'values', higherIsBetter: true, compute: ({ yTrue, yPred }) => r2(yTrue, yPred) },
    {
      name: 'explained_variance',
      description: 'explained variance score',
      needs: 'values',
      higherIsBetter: true,
      compute: ({ yTrue, yPred }) => explainedVariance(yTrue, yPred),
    },
    {
      name: 'concordance_index',
      description: "Harrell's C-index of risk scores, lifelines' tie rules",
      needs: 'survival',
      higherIsBetter: true,
      compute: ({ times, events, risks }) => concordanceIndex(times, events, risks),
    },
  ];
}
