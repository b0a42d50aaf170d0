import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { parseLogLine, type LogLine } from './node-status';

/** Stops a {@link followLog}. */
export interface LogFollow {
  stop(): void;
}

/**
 * Calls `onLine` for each line appended to `file` from now on (a file created or truncated later is
 * read from its start). The node writes the log from another process, so the file is polled every
 * `intervalMs`; a partial last line waits for its end.
 */
export function followLog(file: string, onLine: (line: LogLine) => void, intervalMs = 300): LogFollow {
  let position = existsSync(file) ? statSync(file).size : 0;
  let pending = '';
  const poll = (): void => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < position) {
      position = 0;
      pending = '';
    }
    if (size === position) return;
    const buffer = Buffer.alloc(size - position);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, position);
    } finally {
      closeSync(fd);
    }
    position = size;
    const parts = (pending + buffer.toString('utf8')).split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) {
      const line = parseLogLine(part);
      if (line) onLine(line);
    }
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
