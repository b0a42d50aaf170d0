import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff';
import { fromGrpcError, toGrpcStatus, toWireCode, TransportError, TransportErrorCode } from './errors';

describe('backoffDelayMs', () => {
  it('doubles the bound from base up to cap, with full jitter', () => {
    const top = (attempt: number) => backoffDelayMs(attempt, {}, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5, 6].map(top)).toEqual([999, 1999, 3999, 7999, 15999, 29999, 29999]);
    expect(backoffDelayMs(3, {}, () => 0)).toBe(0);
    expect(backoffDelayMs(2, { baseMs: 10, capMs: 25 }, () => 0.5)).toBe(12);
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1000, capMs: 30000 });
  });

  it('stays within [0, cap) for any attempt, even huge ones', () => {
    for (const attempt of [0, 10, 100, 10_000]) {
      const delay = backoffDelayMs(attempt, { baseMs: 50, capMs: 400 });
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
    }
  });
});

describe('TransportError mapping', () => {
  it('maps every code to a gRPC status and a wire code', () => {
    for (const code of Object.values(TransportErrorCode)) {
      const error = new TransportError(code, 'x', { nodeId: 'n', requestId: 'r' });
      expect(toGrpcStatus(error).code).toEqual(expect.any(Number));
      expect(toWireCode(error)).toMatch(/^ERROR_CODE_/);
      expect(error).toMatchObject({ nodeId: 'n', requestId: 'r', name: 'TransportError' });
    }
    expect(toWireCode(new Error('plain'))).toBe('ERROR_CODE_INTERNAL');
    expect(fromGrpcError({ code: 16, details: 'no' }).code).toBe('UNAUTHENTICATED');
    expect(fromGrpcError({ code: 14, details: 'down' }, { nodeId: 'n' })).toMatchObject({ code: 'UNAVAILABLE', nodeId: 'n' });
  });
});
