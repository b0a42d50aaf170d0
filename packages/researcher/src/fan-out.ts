/** One node's result of a fanned-out call. */
export type Settled<T> = { readonly nodeId: string; readonly ok: true; readonly value: T } | { readonly nodeId: string; readonly ok: false; readonly error: unknown };

/**
 * Starts `call` for every node at once and yields each settlement as it arrives. Once `signal`
 * aborts, the generator ends and later settlements are dropped, which is how late replies are
 * discarded.
 */
export async function* fanOut<T>(
  nodeIds: readonly string[],
  call: (nodeId: string) => Promise<T>,
  signal?: AbortSignal,
): AsyncGenerator<Settled<T>> {
  const arrived: Settled<T>[] = [];
  let wake: (() => void) | undefined;
  const push = (settled: Settled<T>): void => {
    arrived.push(settled);
    wake?.();
  };
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  for (const nodeId of nodeIds) {
    // A call that throws synchronously still becomes a settlement.
    Promise.resolve()
      .then(() => call(nodeId))
      .then(
        (value) => push({ nodeId, ok: true, value }),
        (error: unknown) => push({ nodeId, ok: false, error }),
      );
  }
  try {
    for (let yielded = 0; yielded < nodeIds.length; yielded += 1) {
      while (arrived.length === 0 && signal?.aborted !== true) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (signal?.aborted === true) return;
      yield arrived.shift() as Settled<T>;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
