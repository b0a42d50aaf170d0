import { DifferentialPrivacyServerSideAdaptiveClipping, DifferentialPrivacyServerSideFixedClipping, FedAvg, type Strategy } from '@fedbiomed/strategy';

/**
 * Replies handed to a strategy's `aggregateFit` as they arrive: the round runner pushes each
 * checked reply, the strategy pulls it. Only replies not pulled yet are held, and a strategy
 * that pulls as it goes (FedAvg folds each one in) leaves at most one here, so the runner's memory
 * does not grow with the number of nodes. One reader; once it stops (it returned, broke out of its
 * loop or threw), later replies are dropped instead of held.
 */
export class ReplyStream<T> implements AsyncIterable<T> {
  readonly #queue: T[] = [];
  #reader: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  #ended = false;
  #error: unknown;
  #detached = false;

  /** Hands `item` to the reader, or queues it until the reader asks. */
  push(item: T): void {
    if (this.#ended || this.#detached) return;
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader !== undefined) reader.resolve({ done: false, value: item });
    else this.#queue.push(item);
  }

  /**
   * Ends the stream. With `error`, the reader's next read throws it at once (queued items are
   * dropped): a round that failed stops its strategy before the strategy commits anything.
   */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (error !== undefined) this.#queue.length = 0;
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader === undefined) return;
    if (error !== undefined) reader.reject(error);
    else reader.resolve({ done: true, value: undefined });
  }

  /** Forgets queued items and drops later ones: the reader is gone. */
  detach(): void {
    this.#detached = true;
    this.#queue.length = 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#queue.length > 0) return Promise.resolve({ done: false, value: this.#queue.shift() as T });
        if (this.#ended) return this.#error === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(this.#error);
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.#reader = { resolve, reject };
        });
      },
      return: () => {
        this.detach();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

/**
 * Whether `strategy` gets its replies as a stream, while nodes still train, rather than as a list
 * once every node answered. The failure list is complete only when the stream ends, so a strategy
 * that decides on failures when `aggregateFit` starts must get the list whole: FedAvg and its
 * subclasses do when `acceptFailures` is false (any failure means "keep the old model"). With
 * `acceptFailures` true they never read it, and they commit their state (server control, moments,
 * clipping norm) only after the stream ended without error, which is what lets a round that ends
 * with too few replies leave them untouched. The built-in DP wrappers read no failure and commit
 * after their inner strategy: they follow it. Any other strategy has not said when it reads
 * failures or commits state, so it gets the list, as before.
 */
export function streamsReplies(strategy: Strategy): boolean {
  if (strategy instanceof FedAvg) return strategy.config.acceptFailures;
  if (strategy instanceof DifferentialPrivacyServerSideFixedClipping || strategy instanceof DifferentialPrivacyServerSideAdaptiveClipping) {
    return streamsReplies(strategy.inner);
  }
  return false;
}
