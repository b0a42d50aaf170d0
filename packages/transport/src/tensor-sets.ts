import type { TensorSet__Output } from '@fedbiomed/proto';
import type { TensorPayload } from './tensor';

/**
 * Every non-empty `TensorSet` inside a decoded request or reply (`train.globalWeights`, the `aux`
 * maps, ...), found by shape so that new contract fields carrying tensors need no change here.
 */
export function findTensorSets(message: unknown): TensorSet__Output[] {
  const found: TensorSet__Output[] = [];
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record['transferId'] === 'string' && Array.isArray(record['tensors'])) {
      if (record['transferId'] !== '' || record['tensors'].length > 0) found.push(record as unknown as TensorSet__Output);
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(message);
  return found;
}

/**
 * Checks that the payloads given to send match the tensor sets the message announces, one to one,
 * so a receiver never waits for bytes that will not come.
 */
export function checkPayloads(where: string, message: unknown, payloads: readonly TensorPayload[]): void {
  const announced = new Set(findTensorSets(message).map((s) => s.transferId));
  const given = new Set(payloads.map((p) => p.set.transferId));
  for (const id of announced) {
    if (!given.has(id)) throw new TypeError(`${where}: the message announces tensor set "${id}" but no payload carries it`);
  }
  for (const id of given) {
    if (!announced.has(id)) throw new TypeError(`${where}: payload "${id}" is not announced by any TensorSet in the message`);
  }
  if (given.size !== payloads.length) throw new TypeError(`${where}: two payloads share a transferId`);
}
