import { SecAggClient } from './client';
import type { UnmaskShares } from './messages';
import type { SecAggParameters } from './parameters';
import { SecAggServer, type SecAggResult } from './server';

/** One simulated node: its id, plain update and FedAvg weight. */
export interface InProcessNode {
  readonly nodeId: string;
  readonly update: Float32Array;
  readonly weight: number;
}

/** Drop-outs to simulate, and a view on what reaches the server. */
export interface InProcessOptions {
  /** Nodes that share keys, then vanish before sending their masked input. */
  readonly dropBeforeMasking?: readonly string[];
  /** Nodes that send their masked input, then vanish before unmasking. */
  readonly dropBeforeUnmasking?: readonly string[];
  /** Called with every masked input as it reaches the server. */
  readonly onMaskedInput?: (nodeId: string, masked: Uint32Array) => void;
}

/** The result, and the bytes that crossed the network in each direction. */
export interface InProcessRound extends SecAggResult {
  readonly bytesToServer: number;
  readonly bytesFromServer: number;
}

/**
 * Runs a whole secure-aggregation round between in-process clients and a server, with the same
 * messages a network would carry: for examples, tests and the benchmark.
 */
export function runSecAggInProcess(parameters: SecAggParameters, nodes: readonly InProcessNode[], options: InProcessOptions = {}): InProcessRound {
  const length = nodes[0]?.update.length ?? 0;
  const server = new SecAggServer(parameters, length);
  const clients = new Map(nodes.map((node) => [node.nodeId, new SecAggClient(node.nodeId, parameters)]));
  let bytesToServer = 0;
  let bytesFromServer = 0;
  for (const client of clients.values()) {
    server.receiveKeys(client.advertiseKeys());
    bytesToServer += 64;
  }
  const keys = server.advertisedKeys();
  for (const [nodeId, client] of clients) {
    bytesFromServer += keys.length * 64;
    const shares = client.shareKeys(keys, server.neighboursFor(nodeId));
    bytesToServer += shares.reduce((sum, share) => sum + share.ciphertext.length, 0);
    server.receiveShares(nodeId, shares);
  }
  const gone = new Set(options.dropBeforeMasking ?? []);
  for (const node of nodes) {
    const shares = server.sharesFor(node.nodeId);
    bytesFromServer += shares.reduce((sum, share) => sum + share.ciphertext.length, 0);
    if (gone.has(node.nodeId)) continue;
    const masked = (clients.get(node.nodeId) as SecAggClient).maskInput(shares, node.update, node.weight);
    bytesToServer += masked.byteLength;
    options.onMaskedInput?.(node.nodeId, masked);
    server.receiveMaskedInput(node.nodeId, masked, node.weight);
  }
  const request = server.unmaskRequest();
  const silent = new Set(options.dropBeforeUnmasking ?? []);
  for (const nodeId of request.survivors) {
    if (silent.has(nodeId)) continue;
    const shares: UnmaskShares = (clients.get(nodeId) as SecAggClient).unmask(request);
    bytesToServer += (shares.selfMaskShares.length + shares.keyShares.length) * 70;
    server.receiveUnmaskShares(nodeId, shares);
  }
  return { ...server.finish(), bytesToServer, bytesFromServer };
}
