import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { docBlocks, type DocBlock } from './doc-blocks';
import { WORKSPACE_ROOT } from './workspace';

/** The built CLI the guides' `fedbiomed` command runs (build first: `npx tsc -b packages/cli`). */
export const CLI_BIN = join(WORKSPACE_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** Options of {@link openGuide}. */
export interface GuideOptions {
  /**
   * Text replaced in every block before it runs, e.g. `{ '50051': String(freePort) }`: what a
   * reader types, adapted to a test machine where another run may hold the documented port.
   */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** Extra environment of every block. */
  readonly env?: Readonly<Record<string, string>>;
  /** The ids of the blocks this test runs, when a document (a README) has others checked elsewhere; default every block. */
  readonly ids?: readonly string[];
}

/** What a finished block printed. */
export interface StepResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A block running in the background (a `start` command), stopped by {@link Guide.dispose}. */
export interface BackgroundStep {
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the output once `pattern` appears in it; rejects after `timeoutMs` or when the process exits first. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<number | null>;
  /** SIGINT to its process group, SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * A guide run by a test: its `<!-- doc: ID -->` blocks executed by bash, strictly in the order of the
 * document, in one temporary folder (the reader's working directory, with `data/`), with `fedbiomed` on `PATH`.
 * `run(id)` waits for a block to finish; `start(id)` leaves it running (servers, nodes) and gives a
 * way to wait for a log line. `finish()` fails unless every block of the guide ran.
 */
export interface Guide {
  /** The working directory of every block. */
  readonly dir: string;
  /** Runs the next block, which must carry `id`; rejects when it exits with another code than `expectCode` (default 0). */
  run(id: string, expectCode?: number): Promise<StepResult>;
  /** Writes the next block, which must carry `id`, to `path` in the folder: a file the reader saves (an experiment file, a config). */
  write(id: string, path: string): string;
  /** Starts the next block, which must carry `id`, in the background. */
  start(id: string): BackgroundStep;
  /** Throws naming the blocks that did not run. */
  finish(): void;
  /** Stops every background block and removes the folder. */
  dispose(): Promise<void>;
}

/** Opens `file` (a Markdown guide, relative to the repository root) for a test to run. */
export function openGuide(file: string, options: GuideOptions = {}): Guide {
  const blocks = docBlocks(file).filter(
    (block): block is DocBlock & { id: string } => block.id !== undefined && (options.ids === undefined || options.ids.includes(block.id)),
  );
  // Under the repository's ignored tmp/, so that `node -e "require('@fedbiomed/training')"` resolves
  // as in a project, with `data` linking to the bundled datasets the docs name.
  const runs = join(WORKSPACE_ROOT, 'tmp', 'guides');
  mkdirSync(runs, { recursive: true });
  const dir = mkdtempSync(join(runs, 'guide-'));
  symlinkSync(join(WORKSPACE_ROOT, 'data'), join(dir, 'data'));
  const env = { ...process.env, ...options.env, PATH: `${installCli(dir)}${delimiter}${process.env['PATH'] ?? ''}` };
  const background: BackgroundStep[] = [];
  let next = 0;

  const take = (id: string): string => {
    const block = blocks[next];
    if (block?.id !== id) {
      throw new Error(`${file}: expected to run block "${block?.id ?? '(none left)'}" next (document order), not "${id}"`);
    }
    next += 1;
    let code = block.code;
    for (const [from, to] of Object.entries(options.substitutions ?? {})) code = code.split(from).join(to);
    return code;
  };
  const spawnBlock = (code: string): ChildProcess =>
    spawn('bash', ['-e', '-o', 'pipefail', '-c', code], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

  return {
    dir,
    async run(id, expectCode = 0) {
      const child = spawnBlock(take(id));
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', (exit) => resolve(exit)));
      if (code !== expectCode) throw new Error(`${file}: block "${id}" exited with ${code}, expected ${expectCode}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      return { code, stdout, stderr };
    },
    write(id, path) {
      const target = join(dir, path);
      writeFileSync(target, take(id));
      return target;
    },
    start(id) {
      const step = backgroundStep(spawnBlock(take(id)), `${file}: block "${id}"`);
      background.push(step);
      return step;
    },
    finish() {
      const left = blocks.slice(next).map((block) => `${block.id} (line ${block.line})`);
      if (left.length > 0) throw new Error(`${file}: blocks not run by the test: ${left.join(', ')}`);
    },
    async dispose() {
      await Promise.all(background.map((step) => step.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a `fedbiomed` launcher of the built CLI into `<dir>/.bin` and returns that folder. */
function installCli(dir: string): string {
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  const launcher = join(bin, 'fedbiomed');
  writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`);
  chmodSync(launcher, 0o755);
  return bin;
}

function backgroundStep(child: ChildProcess, what: string): BackgroundStep {
  let output = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    waiters.forEach((wake) => wake());
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      done = true;
      waiters.forEach((wake) => wake());
      resolve(code);
    }),
  );
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  return {
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      const found = (): boolean => (typeof pattern === 'string' ? output.includes(pattern) : pattern.test(output));
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (found()) finish(() => resolve(output));
          else if (done) finish(() => reject(new Error(`${what} exited before printing ${String(pattern)}; output:\n${output}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${what}: no ${String(pattern)} within ${timeoutMs} ms; output:\n${output}`))), timeoutMs);
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 15_000) {
      if (done) return exited;
      signal('SIGINT');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
