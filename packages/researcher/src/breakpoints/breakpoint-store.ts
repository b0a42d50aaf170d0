import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncPath, writeFileAtomic, writeFileDurable } from '../atomic-write';
import { ResearcherError } from '../errors';
import { packState, unpackState } from './tensor-packing';

/** Where an experiment keeps the state it resumes from. */
export interface BreakpointStore {
  /** Saves the state reached at the end of `round`; it must be durable when the promise resolves. */
  save(round: number, state: unknown): Promise<void>;
  /** The last saved state, or `undefined` when none was saved. */
  loadLatest(): Promise<{ readonly round: number; readonly state: unknown } | undefined>;
}

const FORMAT = 'fedbiomed-breakpoint/1';
const LATEST = 'latest.json';
const ROUND_FOLDER = /^round-\d{4,}$/;

/** Options of {@link FileBreakpointStore}. */
export interface FileBreakpointStoreOptions {
  /**
   * How many breakpoints to keep, the latest included; older round folders are deleted once a new one
   * is in place. Default: all (a breakpoint per round, to go back to any of them). A long run with a
   * large strategy state (SCAFFOLD keeps a model-sized control per node) keeps a few.
   */
  readonly keep?: number;
}

/**
 * Breakpoints as folders `round-0003/` (`state.json` plus the tensors in `tensors.bin`) under
 * `dir`, and a `latest.json` pointer. A folder is written under a temporary name, flushed, and renamed
 * into place before the pointer is replaced atomically, so a crash at any instant leaves the
 * previous breakpoint readable.
 */
export class FileBreakpointStore implements BreakpointStore {
  readonly dir: string;
  readonly #keep: number;

  constructor(dir: string, options: FileBreakpointStoreOptions = {}) {
    this.dir = dir;
    this.#keep = options.keep ?? Number.POSITIVE_INFINITY;
    if (options.keep !== undefined && (!Number.isInteger(options.keep) || options.keep < 1)) {
      throw new ResearcherError('INVALID_OPTION', `FileBreakpointStore: keep must be an integer ≥ 1, got ${options.keep}`);
    }
  }

  async save(round: number, state: unknown): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const name = `round-${String(round).padStart(4, '0')}`;
    const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp);
    const packed = packState(state);
    writeFileDurable(join(temp, 'tensors.bin'), packed.blob);
    writeFileDurable(join(temp, 'state.json'), JSON.stringify({ format: FORMAT, round, state: packed.json }));
    fsyncPath(temp);
    // A folder of this name can only be left by a run that died before moving the pointer to it.
    rmSync(join(this.dir, name), { recursive: true, force: true });
    renameSync(temp, join(this.dir, name));
    fsyncPath(this.dir);
    writeFileAtomic(join(this.dir, LATEST), JSON.stringify({ format: FORMAT, round, folder: name }));
    this.#prune(name);
  }

  /** Deletes the round folders past the newest `keep`, never the one `latest` points to. */
  #prune(latest: string): void {
    if (!Number.isFinite(this.#keep)) return;
    const rounds = readdirSync(this.dir)
      .filter((entry) => ROUND_FOLDER.test(entry))
      .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
    for (const old of rounds.slice(0, Math.max(0, rounds.length - this.#keep))) {
      if (old !== latest) rmSync(join(this.dir, old), { recursive: true, force: true });
    }
  }

  async loadLatest(): Promise<{ round: number; state: unknown } | undefined> {
    const pointerPath = join(this.dir, LATEST);
    if (!existsSync(pointerPath)) return undefined;
    const pointer = readJson(pointerPath) as { format?: unknown; folder?: unknown };
    if (pointer.format !== FORMAT || typeof pointer.folder !== 'string') {
      throw new ResearcherError('BREAKPOINT_INVALID', `${pointerPath}: not a ${FORMAT} pointer`);
    }
    const folder = join(this.dir, pointer.folder);
    const saved = readJson(join(folder, 'state.json')) as { format?: unknown; round?: unknown; state?: unknown };
    if (saved.format !== FORMAT || typeof saved.round !== 'number') {
      throw new ResearcherError('BREAKPOINT_INVALID', `${join(folder, 'state.json')}: not a ${FORMAT} breakpoint`);
    }
    const blob = readFileSync(join(folder, 'tensors.bin'));
    return { round: saved.round, state: unpackState(saved.state, blob) };
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ResearcherError('BREAKPOINT_INVALID', `cannot read breakpoint file ${path}: ${(error as Error).message}`, { cause: error });
  }
}
