import { InvalidArgumentError } from 'commander';

/** Parses a `--port`-like option: an integer from 0 (any free port) to 65535. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number, got "${value}"`);
  return n;
}
