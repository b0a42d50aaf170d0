import { join } from 'node:path';
import pino, { type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** The node's structured logger (pino). */
export type NodeLogger = Logger;

/** How the daemon writes its lines to standard error: readable lines, or JSON lines as in `node.log`. */
export type ConsoleLogFormat = 'pretty' | 'json';

/** The console log formats, for option parsers. */
export const CONSOLE_LOG_FORMATS: readonly ConsoleLogFormat[] = ['pretty', 'json'];

/** Where a node logs. */
export interface NodeLoggerOptions {
  /** Folder of `node.log` (always JSON lines). */
  readonly logsDir: string;
  readonly level: Level | 'silent';
  /** Also write each line to standard error, in this format (the daemon does; one-shot commands do not). */
  readonly console?: ConsoleLogFormat;
}

/**
 * The console format when none is asked: readable lines on a terminal, JSON lines when standard
 * error goes to a pipe or a file (systemd, containers, log shippers).
 */
export function defaultConsoleLogFormat(stream: { isTTY?: boolean } = process.stderr): ConsoleLogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

/** Builds a logger writing JSON lines to `<logsDir>/node.log` (and standard error when asked). */
export function createNodeLogger(options: NodeLoggerOptions): NodeLogger {
  if (options.level === 'silent') return pino({ level: 'silent' });
  const streams: pino.StreamEntry[] = [
    { stream: pino.destination({ dest: join(options.logsDir, 'node.log'), sync: true, mkdir: true }), level: options.level },
  ];
  if (options.console === 'json') streams.push({ stream: pino.destination({ fd: 2, sync: true }), level: options.level });
  if (options.console === 'pretty') streams.push({ stream: prettyStderr(), level: options.level });
  return pino({ level: options.level, base: { component: 'node' } }, pino.multistream(streams));
}

/** Fields every line carries, never worth repeating on the console. */
const HIDDEN_FIELDS = new Set(['time', 'level', 'msg', 'component', 'module', 'pid', 'hostname']);

/**
 * `12:03:04 INFO: connected to researcher …`: operator lines (those with an `event` field) read on
 * their own; other lines keep their fields as `key=value` after the message.
 */
function prettyStderr(): pino.DestinationStream {
  return pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    hideObject: true,
    messageFormat: (log, messageKey) => {
      const message = String(log[messageKey] ?? '');
      if (log['event'] !== undefined) return message;
      const fields = Object.entries(log)
        .filter(([key]) => !HIDDEN_FIELDS.has(key) && key !== messageKey)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      return fields.length === 0 ? message : `${message} ${fields.join(' ')}`;
    },
  });
}
