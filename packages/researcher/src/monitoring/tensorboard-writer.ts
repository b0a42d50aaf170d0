import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TensorBoardEventCodec } from './tensorboard-event';
import { encodeTfRecord } from './tfrecord';

/** Options of {@link TensorBoardWriter}. */
export interface TensorBoardWriterOptions {
  /** Clock, in milliseconds; names the file and stamps its first record. */
  readonly now?: () => number;
  /**
   * Delete the event files already in `dir` first. TensorBoard reads every event file of a folder
   * as one run, so a new run written beside an old one would plot both on the same curves; a
   * resumed run keeps them (its steps continue the old file's).
   */
  readonly replacePrevious?: boolean;
}

const EVENT_FILE = /^events\.out\.tfevents\./;

/**
 * Appends scalars to a TensorBoard event file (`events.out.tfevents.<seconds>.<host>.<pid>`) in
 * `dir`, so `tensorboard --logdir <experiment>/tensorboard` plots them. Each record is written as it
 * comes, so TensorBoard can follow a running experiment.
 */
export class TensorBoardWriter {
  readonly path: string;
  readonly #codec = new TensorBoardEventCodec();
  #fd: number | undefined;

  constructor(dir: string, options: TensorBoardWriterOptions = {}) {
    const now = options.now ?? Date.now;
    mkdirSync(dir, { recursive: true });
    if (options.replacePrevious === true) {
      for (const file of readdirSync(dir)) if (EVENT_FILE.test(file)) rmSync(join(dir, file), { force: true });
    }
    const wallTime = now() / 1000;
    this.path = join(dir, `events.out.tfevents.${Math.floor(wallTime)}.${hostname()}.${process.pid}`);
    this.#fd = openSync(this.path, 'a');
    this.#append(this.#codec.encode({ wallTime, step: 0, fileVersion: 'brain.Event:2' }));
  }

  /** Writes scalars for one step (a round, or a local batch counter). */
  addScalars(step: number, scalars: readonly { tag: string; value: number }[], wallTimeMs: number = Date.now()): void {
    if (scalars.length === 0) return;
    this.#append(this.#codec.encode({ wallTime: wallTimeMs / 1000, step, scalars }));
  }

  /** Flushes and closes the file; later writes are ignored. */
  close(): void {
    if (this.#fd === undefined) return;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #append(event: Uint8Array): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, encodeTfRecord(event));
  }
}
