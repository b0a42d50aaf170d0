import { getEventListeners, getMaxListeners } from 'node:events';
import { addSharedAbortListener } from './shared-abort-signal';

describe('addSharedAbortListener', () => {
  it('raises the limit to every listener the signal holds, those added elsewhere included', () => {
    const round = new AbortController();
    for (let i = 0; i < 3; i++) round.signal.addEventListener('abort', () => undefined);
    const fired: number[] = [];
    for (let i = 0; i < 100; i++) addSharedAbortListener(round.signal, () => fired.push(i));
    expect(getEventListeners(round.signal, 'abort')).toHaveLength(103);
    expect(getMaxListeners(round.signal)).toBeGreaterThanOrEqual(103);
    round.abort();
    expect(fired).toHaveLength(100);
    expect(getEventListeners(round.signal, 'abort')).toHaveLength(3);
  });

  it('leaves a limit already high enough as it is', () => {
    const round = new AbortController();
    addSharedAbortListener(round.signal, () => undefined);
    expect(getMaxListeners(round.signal)).toBe(10);
  });
});
