// The test command (`npm test`): every check CI runs, in order, failing fast.
// 1. generated contract code and the compiled SIMD kernels are fresh; 2. everything compiles (strict), the workspace tests included; 3. nx project graph, then
// lint incl. module boundaries; 4. no import cycles; 5. jest over every package, ending with a summary line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const extraJestArgs = process.argv.slice(2);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

function step(title, command, args) {
  console.log(`\n▶ ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const bin = (name) => join('node_modules', '.bin', name);
step('contracts', process.execPath, ['tools/proto/generate.mjs', '--check']);
step('wasm kernels', process.execPath, ['packages/training/scripts/build-simd-kernels.mjs', '--check']);
step('build', bin('tsc'), ['-b', 'tsconfig.build.json']);
// The workspace tests (benchmarks' quick runs, docs, guides, boundaries) belong to no package's build.
step('typecheck tools', bin('tsc'), ['-p', 'tools/tsconfig.json']);
// The module-boundary rule reads nx's cached project graph and silently skips itself without one,
// which is the state of a fresh clone: compute the graph first.
step('project graph', bin('nx'), ['show', 'projects']);
step('lint', bin('eslint'), ['packages', 'examples', 'tools', '--max-warnings=0', '--no-error-on-unmatched-pattern']);
step('cycles', bin('madge'), ['--circular', '--extensions', 'ts', '--ts-config', 'tsconfig.base.json', 'packages']);

const report = join(mkdtempSync(join(tmpdir(), 'fedbiomed-jest-')), 'report.json');
console.log('\n▶ tests: jest');
const jest = spawnSync(
  process.execPath,
  ['--unhandled-rejections=strict', bin('jest'), '--ci', '--maxWorkers=2', '--json', `--outputFile=${report}`, ...extraJestArgs],
  { stdio: 'inherit', env },
);
try {
  const summary = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
} catch {
  console.error('tests: no jest report was written');
}
process.exit(jest.status ?? 1);
