import { createHash } from 'node:crypto';

import { TrainingError } from '../errors';

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code unit, no white space,
 * numbers in ECMAScript's shortest round-trip form (`-0` written as `0`). Two equal values always
 * give the same string, whatever their key order or the process that wrote them.
 * Rejects what JSON cannot hold exactly: non-finite numbers, `undefined`, functions, cycles.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

/** Lower-case hex SHA-256 of a string's UTF-8 bytes or of raw bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function write(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TrainingError('MALFORMED_PLAN', `${path} is ${value}: canonical JSON holds finite numbers only`);
      }
      return Object.is(value, -0) ? '0' : JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TrainingError('MALFORMED_PLAN', `${path} is a ${typeof value}: not a JSON value`);
  }
  if (seen.has(value)) throw new TrainingError('MALFORMED_PLAN', `${path} refers to itself`);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((item, i) => write(item, `${path}[${i}]`, seen)).join(',')}]`;
  } else {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v, `${path}.${k}`, seen)}`).join(',')}}`;
  }
  seen.delete(value);
  return out;
}
