/**
 * Recipe for UCI Breast Cancer Wisconsin (Diagnostic) in scikit-learn's CSV form: 569 samples, 30
 * features, label 0 = malignant, 1 = benign.
 */
import { join } from 'node:path';
import { type ArrayDataset, withMetadata } from '../array-dataset';
import { loadCsv } from '../adapters/csv-adapter';

/** scikit-learn's `feature_names`, in column order. */
const MEASURES = ['radius', 'texture', 'perimeter', 'area', 'smoothness', 'compactness', 'concavity', 'concave points', 'symmetry', 'fractal dimension'];
const FEATURE_NAMES = [...MEASURES.map((m) => `mean ${m}`), ...MEASURES.map((m) => `${m} error`), ...MEASURES.map((m) => `worst ${m}`)];

/** Opens `breast_cancer.csv` of `dir` (e.g. the shared `breast_cancer_wisconsin` folder). Features are raw: standardise them with training statistics. */
export async function openBreastCancer(options: { readonly dir: string }): Promise<ArrayDataset> {
  // Line 1 is scikit-learn's metadata (`569,30,malignant,benign`), not a header.
  const { dataset } = await loadCsv(join(options.dir, 'breast_cancer.csv'), { header: false, skipLines: 1, label: 30, task: 'classification', missing: 'refuse' });
  return withMetadata(dataset, { dataType: 'breast-cancer-wisconsin', classNames: ['malignant', 'benign'], featureNames: FEATURE_NAMES });
}
