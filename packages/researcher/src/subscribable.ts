/** A listener receives every event published after it subscribed. */
export type Listener<T> = (event: T) => void;

/**
 * The observer base: `subscribe` returns its own unsubscribe function, and `stream()` gives the same
 * events as an async iterator that ends when `close()` is called. A throwing listener cannot break
 * the publisher or the other listeners; its error goes to `onListenerError`.
 */
export class Subscribable<T> {
  readonly #listeners = new Set<Listener<T>>();
  readonly #closers = new Set<() => void>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  subscribe(listener: Listener<T>): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  publish(event: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  /** Ends every iterator from {@link stream}. */
  close(): void {
    for (const close of [...this.#closers]) close();
  }

  /** Events as an async iterator; breaking out of the loop unsubscribes. */
  stream(): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const finish = (): void => {
      done = true;
      unsubscribe();
      this.#closers.delete(finish);
      wake?.();
    };
    const unsubscribe = this.subscribe((event) => {
      queue.push(event);
      wake?.();
    });
    this.#closers.add(finish);
    const iterator: AsyncIterableIterator<T> = {
      next: async () => {
        while (queue.length === 0 && !done) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        const value = queue.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: async () => {
        finish();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
