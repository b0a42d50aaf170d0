import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from '@swc/core';
import { docBlock } from './doc-blocks';
import { WORKSPACE_ROOT } from './workspace';

/** Options of {@link runTsDocBlock}. */
export interface TsDocRunOptions {
  /** Text replaced in the block before it runs (a port a test must choose, say). */
  readonly substitutions?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  /** Killed after this long (default 120 s). */
  readonly timeoutMs?: number;
}

/** What a block printed and how it ended. */
export interface DocRunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the TypeScript block marked `<!-- doc: id -->` in `file` as a reader would: types stripped by
 * SWC (no type check: `tsc` checks the packages themselves), as an ES module with top-level await,
 * importing the built packages (`npx tsc -b tsconfig.build.json` first). It runs in a fresh folder
 * under the repository's ignored `tmp/` (so `@fedbiomed/*` and `@tensorflow/tfjs` resolve as in a
 * project) whose `data` links to the bundled `data/`, so the paths the docs show work.
 */
export async function runTsDocBlock(file: string, id: string, options: TsDocRunOptions = {}): Promise<DocRunResult> {
  let source = docBlock(file, id);
  for (const [from, to] of Object.entries(options.substitutions ?? {})) source = source.split(from).join(to);
  const { code } = transformSync(source, {
    filename: `${id}.ts`,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  const runs = join(WORKSPACE_ROOT, 'tmp', 'doc-runs');
  mkdirSync(runs, { recursive: true });
  const dir = mkdtempSync(join(runs, `${id}-`));
  try {
    symlinkSync(join(WORKSPACE_ROOT, 'data'), join(dir, 'data'));
    const script = join(dir, `${id}.mjs`);
    writeFileSync(script, code);
    return await runNode(script, dir, { ...process.env, ...options.env }, options.timeoutMs ?? 120_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runNode(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DocRunResult> {
  const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
