import { getEventListeners, getMaxListeners, setMaxListeners } from 'node:events';

/**
 * Adds a once-only abort `listener` to a signal that many pending requests share (a round's one
 * signal for all its nodes), first raising the signal's listener limit to the listeners it will hold,
 * its other holders' included. One listener per pending request, removed when the request settles,
 * is by design; Node's MaxListenersExceededWarning would otherwise report it as a leak from about the
 * tenth node on.
 */
export function addSharedAbortListener(signal: AbortSignal, listener: () => void): void {
  const listeners = getEventListeners(signal, 'abort').length + 1;
  if (getMaxListeners(signal) < listeners) setMaxListeners(listeners, signal);
  signal.addEventListener('abort', listener, { once: true });
}
