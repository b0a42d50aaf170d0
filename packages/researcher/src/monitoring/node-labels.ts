/** A node as results and discovery name it. */
export interface NodeIdentity {
  readonly nodeId: string;
  readonly nodeName: string;
}

/**
 * The name each node goes by in monitoring files and reports: its node name, followed by its id in
 * parentheses only where two nodes share that name (its id alone when it has no name). The same
 * label prefixes a node's TensorBoard tags and fills the `node` column of `metrics.csv`.
 */
export function nodeLabels(nodes: Iterable<NodeIdentity>): Map<string, string> {
  const names = new Map<string, string>();
  for (const { nodeId, nodeName } of nodes) if (!names.has(nodeId)) names.set(nodeId, nodeName.trim());
  const idsByName = new Map<string, number>();
  for (const name of names.values()) idsByName.set(name, (idsByName.get(name) ?? 0) + 1);
  const labels = new Map<string, string>();
  for (const [nodeId, name] of names) {
    labels.set(nodeId, name === '' ? nodeId : (idsByName.get(name) ?? 0) > 1 ? `${name} (${nodeId})` : name);
  }
  return labels;
}

/** Every node that appears in a round's results, trained or failed. */
export function nodesOfRounds(results: readonly { readonly nodes: readonly NodeIdentity[]; readonly failures: readonly NodeIdentity[] }[]): NodeIdentity[] {
  return results.flatMap((result) => [...result.nodes, ...result.failures]);
}
