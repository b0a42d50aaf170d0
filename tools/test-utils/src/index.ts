/**
 * Helpers shared by the packages' test suites. Never imported by package sources.
 * @packageDocumentation
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { WORKSPACE_ROOT } from './workspace';
export { runBenchScript, type BenchRun, type BenchRunOptions } from './bench';
export { bundledDataset, bundledDatasetsDir } from './bundled';
export { docBlock, docBlocks, type DocBlock } from './doc-blocks';
export { runTsDocBlock, type DocRunResult, type TsDocRunOptions } from './doc-run';
export { CLI_BIN, openGuide, type BackgroundStep, type Guide, type GuideOptions, type StepResult } from './guide-runner';

export { WDBC_SAMPLE_COLUMNS, wdbcSampleRows, writeWdbcSample } from './wdbc-sample';

/** A temporary folder removed by `dispose()` (or `using`). */
export interface TempDir {
  readonly path: string;
  /** Writes `text` into the file `name` of the folder and returns its path. */
  write(name: string, text: string): string;
  dispose(): void;
}

/** Creates a fresh temporary folder for one test. */
export function makeTempDir(prefix = 'fedbiomed-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write: (name, text) => {
      const file = join(path, name);
      writeFileSync(file, text);
      return file;
    },
    dispose: () => rmSync(path, { recursive: true, force: true }),
  };
}
export { freePort } from './ports';
export {
  BrowserMissingError,
  chromiumPath,
  launchChromium,
  seriousAccessibilityViolations,
  takeReadmeScreenshot,
  type AccessibilityViolation,
} from './browser';
