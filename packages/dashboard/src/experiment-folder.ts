import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EVENTS_FILE } from '@fedbiomed/researcher';
import { DashboardError } from './errors';
import { parseEventLine, parseMetricsJson } from './event-files';
import { RoundBoard } from './round-board';

/** Options of {@link openExperimentFolder}. */
export interface ExperimentFolderOptions {
  /**
   * Keep reading `events.jsonl` as the experiment appends to it (another process running the
   * experiment), checking every `pollMs` (default 500 ms). Off: the folder is read once.
   */
  readonly follow?: boolean;
  readonly pollMs?: number;
  /** A line the researcher has not finished writing is waited for; a bad complete line while following goes here (default: ignored). */
  readonly onError?: (error: DashboardError) => void;
}

/** A board filled from an experiment folder; `close()` stops following it. */
export interface ExperimentFolder {
  readonly board: RoundBoard;
  close(): void;
}

/**
 * Reads an experiment folder (an `Experiment`'s `experimentDir`) into a {@link RoundBoard}: its
 * `events.jsonl`, or, for folders written before that file existed, the rounds of `metrics.json`.
 * Throws a {@link DashboardError} naming the folder or file when it holds neither or a line is bad.
 */
export function openExperimentFolder(dir: string, options: ExperimentFolderOptions = {}): ExperimentFolder {
  const folder = resolve(dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DashboardError('NOT_FOUND', `experiment folder ${folder} does not exist or is not a folder`);
  }
  const eventsPath = join(folder, EVENTS_FILE);
  const metricsPath = join(folder, 'metrics.json');
  const experimentId = (): string => (existsSync(metricsPath) ? parseMetricsJson(readFileSync(metricsPath, 'utf8'), metricsPath).experimentId : basename(folder));
  if (!existsSync(eventsPath)) {
    if (!existsSync(metricsPath)) {
      throw new DashboardError('NO_EXPERIMENT_DATA', `${folder} holds neither ${EVENTS_FILE} nor metrics.json: give the experimentDir of an Experiment`);
    }
    const { experimentId: id, rounds } = parseMetricsJson(readFileSync(metricsPath, 'utf8'), metricsPath);
    const board = new RoundBoard(id);
    for (const result of rounds) board.apply({ type: 'round-completed', result });
    return { board, close: () => undefined };
  }
  const board = new RoundBoard(experimentId());
  const reader = new EventLineReader(eventsPath, board);
  reader.readNew();
  if (options.follow !== true) return { board, close: () => undefined };
  const onChange = (current: Stats): void => {
    try {
      // The file shrank: a new run in the same folder replaced it.
      if (current.size < reader.offset) {
        reader.restart();
        board.reset(experimentId());
      }
      reader.readNew();
    } catch (error) {
      if (error instanceof DashboardError) options.onError?.(error);
      else throw error;
    }
  };
  watchFile(eventsPath, { interval: options.pollMs ?? 500 }, onChange);
  return { board, close: () => unwatchFile(eventsPath, onChange) };
}

/** Reads the complete lines appended to `events.jsonl` since the last call. */
class EventLineReader {
  offset = 0;
  #lineNumber = 0;
  /** Bytes after the last newline: a line still being written (kept as bytes, it may end inside a character). */
  #partial = Buffer.alloc(0);

  constructor(
    readonly path: string,
    readonly board: RoundBoard,
  ) {}

  restart(): void {
    this.offset = 0;
    this.#lineNumber = 0;
    this.#partial = Buffer.alloc(0);
  }

  readNew(): void {
    const bytes = Buffer.concat([this.#partial, this.#readFrom(this.offset)]);
    const end = bytes.lastIndexOf(0x0a) + 1;
    this.#partial = Buffer.from(bytes.subarray(end));
    const lines = bytes.subarray(0, end).toString('utf8').split('\n').slice(0, -1);
    for (const line of lines) {
      this.#lineNumber += 1;
      if (line.trim() === '') continue;
      const event = parseEventLine(line, this.path, this.#lineNumber);
      if (event !== undefined) this.board.apply(event);
    }
  }

  #readFrom(offset: number): Buffer {
    const fd = openSync(this.path, 'r');
    try {
      const size = statSync(this.path).size;
      const buffer = Buffer.alloc(Math.max(0, size - offset));
      let read = 0;
      while (read < buffer.length) {
        const n = readSync(fd, buffer, read, buffer.length - read, offset + read);
        if (n === 0) break;
        read += n;
      }
      this.offset = offset + read;
      return buffer.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  }
}
