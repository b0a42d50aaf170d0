import type { Logger } from './logger';

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/**
 * A small typed event hub. A listener that throws is logged and does not disturb the others or the
 * transport.
 */
export class EventHub<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const stored = listener as (payload: never) => void;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        this.logger.error({ event: String(event), err: String(error) }, 'an event listener threw');
      }
    }
  }
}
