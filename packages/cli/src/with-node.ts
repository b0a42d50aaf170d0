import { openNode, type Node } from '@fedbiomed/node';

/** Opens the node folder, runs `fn` and closes it whatever happens. */
export function withNode<T>(dir: string, fn: (node: Node) => T): T {
  const n = openNode(dir);
  let result: T;
  try {
    result = fn(n);
  } catch (error) {
    n.close();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => n.close()) as T;
  n.close();
  return result;
}
