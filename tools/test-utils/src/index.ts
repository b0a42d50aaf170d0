/**
 * Helpers shared by the packages' test suites. Never imported by package sources.
 * @packageDocumentation
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Root of the monorepo. */
export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

/**
 * Folder of the shared, read-only developer datasets (`../shared/datasets` beside the clone;
 * `FEDBIOMED_SHARED_DATASETS` overrides). Tests read from it and never write there.
 */
export function sharedDatasetsDir(): string {
  const dir = process.env['FEDBIOMED_SHARED_DATASETS'] ?? resolve(WORKSPACE_ROOT, '..', 'shared', 'datasets');
  if (!existsSync(dir)) {
    throw new Error(`shared datasets not found at ${dir}; set FEDBIOMED_SHARED_DATASETS`);
  }
  return dir;
}

/** Path of one file of the shared datasets, e.g. `sharedDataset('mnist', 't10k-labels-idx1-ubyte.gz')`. */
export function sharedDataset(...parts: string[]): string {
  return join(sharedDatasetsDir(), ...parts);
}

/** A temporary folder removed by `dispose()` (or `using`). */
export interface TempDir {
  readonly path: string;
  dispose(): void;
}

/** Creates a fresh temporary folder for one test. */
export function makeTempDir(prefix = 'fedbiomed-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}
