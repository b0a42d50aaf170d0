import type { ResearcherServerEvents, Unsubscribe } from '@fedbiomed/transport';

/** The listeners of a simulation channel's events (scalars and logs streamed by its nodes). */
export class ChannelEvents {
  readonly #listeners = new Map<keyof ResearcherServerEvents, Set<(payload: never) => void>>();

  on<K extends keyof ResearcherServerEvents>(event: K, listener: (payload: ResearcherServerEvents[K]) => void): Unsubscribe {
    let listeners = this.#listeners.get(event);
    if (listeners === undefined) this.#listeners.set(event, (listeners = new Set()));
    const stored = listener as (payload: never) => void;
    listeners.add(stored);
    return () => listeners.delete(stored);
  }

  emit<K extends keyof ResearcherServerEvents>(event: K, payload: ResearcherServerEvents[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as (payload: ResearcherServerEvents[K]) => void)(payload);
  }
}
