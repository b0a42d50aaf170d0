/** The datasets bundled with the repository, as tests find them. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './workspace';

/**
 * Folder of the datasets bundled with the repository (`data/`; `FEDBIOMED_DATASETS` points at
 * another folder of the same layout). Tests read from it and never write there.
 */
export function bundledDatasetsDir(): string {
  const dir = process.env['FEDBIOMED_DATASETS'] ?? join(WORKSPACE_ROOT, 'data');
  if (!existsSync(dir)) {
    throw new Error(`bundled datasets not found at ${dir}: data/ is part of the repository (FEDBIOMED_DATASETS overrides it)`);
  }
  return dir;
}

/** Path of one file of the bundled datasets, e.g. `bundledDataset('mnist', 't10k-labels-idx1-ubyte.gz')`. */
export function bundledDataset(...parts: string[]): string {
  return join(bundledDatasetsDir(), ...parts);
}
