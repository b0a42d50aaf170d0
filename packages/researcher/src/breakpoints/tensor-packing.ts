import { ResearcherError } from '../errors';

/** JSON with Float32Arrays moved out to one binary blob, so breakpoints stay small and exact. */
export interface PackedState {
  readonly json: unknown;
  readonly blob: Uint8Array;
}

interface TensorRef {
  readonly $float32: { readonly offset: number; readonly length: number };
}

/** A number JSON cannot hold (a node's ROC AUC on a one-class test split is NaN), kept by name. */
interface NonFiniteRef {
  readonly $number: 'NaN' | 'Infinity' | '-Infinity';
}

/**
 * Replaces every Float32Array in `value` by a reference into one little-endian blob, and every
 * non-finite number (which JSON cannot hold) by its name, so a resumed experiment sees the same values.
 */
export function packState(value: unknown): PackedState {
  const arrays: Float32Array[] = [];
  let offset = 0;
  const walk = (item: unknown, path: string): unknown => {
    if (item instanceof Float32Array) {
      const ref: TensorRef = { $float32: { offset, length: item.length } };
      arrays.push(item);
      offset += item.length;
      return ref;
    }
    if (ArrayBuffer.isView(item)) {
      throw new ResearcherError('BREAKPOINT_INVALID', `breakpoint state at ${path}: only Float32Array tensors can be saved`);
    }
    if (typeof item === 'number' && !Number.isFinite(item)) {
      const ref: NonFiniteRef = { $number: String(item) as NonFiniteRef['$number'] };
      return ref;
    }
    if (Array.isArray(item)) return item.map((entry, index) => walk(entry, `${path}[${index}]`));
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, walk(entry, `${path}.${key}`)]));
    }
    return item;
  };
  const json = walk(value, '$');
  const blob = new Float32Array(offset);
  let at = 0;
  for (const array of arrays) {
    blob.set(array, at);
    at += array.length;
  }
  return { json, blob: new Uint8Array(blob.buffer) };
}

/** Inverse of {@link packState}; each restored array is a fresh copy. */
export function unpackState(json: unknown, blob: Uint8Array): unknown {
  const floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
  const walk = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object') {
      const named = (item as Partial<NonFiniteRef>).$number;
      if (named === 'NaN' || named === 'Infinity' || named === '-Infinity') return Number(named);
      const ref = (item as Partial<TensorRef>).$float32;
      if (ref !== undefined) {
        if (ref.offset + ref.length > floats.length) {
          throw new ResearcherError('BREAKPOINT_INVALID', `breakpoint tensor at ${ref.offset}+${ref.length} lies past the blob's ${floats.length} floats`);
        }
        return floats.slice(ref.offset, ref.offset + ref.length);
      }
      return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, walk(entry)]));
    }
    return item;
  };
  return walk(json);
}
