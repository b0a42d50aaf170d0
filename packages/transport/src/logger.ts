/** A pino-compatible logger: `logger.warn({ nodeId }, 'message')`. */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/**
 * Whether `FEDBIOMED_TRACE` (comma-separated module names, `all` or `*`) turns tracing on for
 * `module`, as `GRPC_TRACE` does for grpc-js.
 */
export function isTraced(module: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const modules = (env['FEDBIOMED_TRACE'] ?? '').split(',').map((m) => m.trim());
  return modules.includes(module) || modules.includes('all') || modules.includes('*');
}

/**
 * The logger used when none is injected: warnings and errors go to stderr; debug and info only
 * when `FEDBIOMED_TRACE` names `transport`.
 */
export function defaultLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const traced = isTraced('transport', env);
  const write = (level: string) => (fields: object, message?: string) => {
    process.stderr.write(`${new Date().toISOString()} transport ${level} ${message ?? ''} ${JSON.stringify(fields)}\n`);
  };
  const silent = () => undefined;
  return {
    debug: traced ? write('debug') : silent,
    info: traced ? write('info') : silent,
    warn: write('warn'),
    error: write('error'),
  };
}
