/**
 * Helpers shared by the packages' test suites. Never imported by package sources.
 * @packageDocumentation
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { WORKSPACE_ROOT } from './workspace';
export { bundledDataset, bundledDatasetsDir } from './bundled';
export { docBlock, docBlocks, type DocBlock } from './doc-blocks';
export { runTsDocBlock, type DocRunResult, type TsDocRunOptions } from './doc-run';
export { CLI_BIN, openGuide, type BackgroundStep, type Guide, type GuideOptions, type StepResult } from './guide-runner';

export { WDBC_SAMPLE_COLUMNS, wdbcSampleRows, writeWdbcSample } from './wdbc-sample';

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
