/**
 * Recipe for Fed-BioMed's synthetic pseudo-ADNI CSV (`;`-separated, CRLF): regression of `MMSE.bl`
 * from age and five MRI volumes, as in Fed-BioMed's SGDRegressor end-to-end test.
 */
import { join } from 'node:path';
import { type ArrayDataset, withMetadata } from '../array-dataset';
import { loadCsv } from '../adapters/csv-adapter';

/** The inputs Fed-BioMed's tutorial regresses `MMSE.bl` on. */
export const PSEUDO_ADNI_FEATURES = ['AGE', 'WholeBrain.bl', 'Ventricles.bl', 'Hippocampus.bl', 'MidTemp.bl', 'Entorhinal.bl'] as const;

/** Opens `pseudo_adni_mod.csv` of `dir`; `features` defaults to {@link PSEUDO_ADNI_FEATURES}. */
export async function openPseudoAdni(options: { readonly dir: string; readonly features?: readonly string[] }): Promise<ArrayDataset> {
  const { dataset } = await loadCsv(join(options.dir, 'pseudo_adni_mod.csv'), {
    delimiter: ';',
    label: 'MMSE.bl',
    features: options.features ?? PSEUDO_ADNI_FEATURES,
    task: 'regression',
    missing: 'refuse',
  });
  return withMetadata(dataset, { dataType: 'pseudo-adni' });
}
