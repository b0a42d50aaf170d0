import { join } from 'node:path';
import pino, { type Level, type Logger } from 'pino';

/** The node's structured logger (pino). */
export type NodeLogger = Logger;

/** Where a node logs. */
export interface NodeLoggerOptions {
  /** Folder of `node.log`. */
  readonly logsDir: string;
  readonly level: Level | 'silent';
  /** Also write each line to standard error (the daemon does; one-shot commands do not). */
  readonly toStderr?: boolean;
}

/** Builds a logger writing JSON lines to `<logsDir>/node.log` (and standard error when asked). */
export function createNodeLogger(options: NodeLoggerOptions): NodeLogger {
  if (options.level === 'silent') return pino({ level: 'silent' });
  const streams: pino.StreamEntry[] = [
    { stream: pino.destination({ dest: join(options.logsDir, 'node.log'), sync: true, mkdir: true }), level: options.level },
  ];
  if (options.toStderr) streams.push({ stream: pino.destination({ fd: 2, sync: true }), level: options.level });
  return pino({ level: options.level, base: { component: 'node' } }, pino.multistream(streams));
}
