import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from './workspace';

/** What one run of a benchmark script left: the JSON report it wrote and its console output. */
export interface BenchRun<Report> {
  readonly report: Report;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runBenchScript}. */
export interface BenchRunOptions {
  /**
   * Folder for the report (and whatever else `args` names in it); kept, since the test owns it. Without
   * it, a fresh temporary folder holds the report and is removed once the report is read.
   */
  readonly dir?: string;
}

/**
 * Runs `tools/bench/<script>` the way docs/benchmarks tells a reader to: `node` from the workspace root,
 * on the packages built by `npx tsc -b tsconfig.build.json`, with `args` and `--json <report file>`.
 * Returns the report the script wrote. Throws, naming the missing folder, when a package is not built,
 * and with the script's stderr when it exits with an error.
 */
export async function runBenchScript<Report>(script: string, args: readonly string[] = [], options: BenchRunOptions = {}): Promise<BenchRun<Report>> {
  requireBuiltPackages();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `${script.replace(/\W+/g, '-')}-`));
  mkdirSync(dir, { recursive: true });
  try {
    const reportFile = join(dir, 'bench-report.json');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'bench', script), ...args, '--json', reportFile], {
      cwd: WORKSPACE_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { report: JSON.parse(readFileSync(reportFile, 'utf8')) as Report, stdout, stderr };
  } finally {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

// The scripts load every package from its dist/: without a build they would fail on a module path, far
// from the cause.
function requireBuiltPackages(): void {
  const packages = join(WORKSPACE_ROOT, 'packages');
  for (const name of readdirSync(packages)) {
    const dist = join(packages, name, 'dist');
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build first with npx tsc -b tsconfig.build.json`);
  }
}
