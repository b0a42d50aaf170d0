/**
 * Helpers shared by the packages' test suites. Never imported by package sources.
 * @packageDocumentation
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { WORKSPACE_ROOT } from './workspace';

export { WORKSPACE_ROOT } from './workspace';
export { docBlock, docBlocks, type DocBlock } from './doc-blocks';
export { runTsDocBlock, type DocRunResult, type TsDocRunOptions } from './doc-run';
export { CLI_BIN, openGuide, type BackgroundStep, type Guide, type GuideOptions, type StepResult } from './guide-runner';

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
export { freePort } from './ports';
