import { StrategyError, StrategyErrorCode } from './errors';

/** One named tensor of a model, flat in row-major order. */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Where one tensor lives inside the flat parameter vector. */
export interface TensorSlot {
  readonly name: string;
  readonly shape: readonly number[];
  /** First element in the flat vector. */
  readonly offset: number;
  /** Number of elements (product of `shape`; 1 for a scalar). */
  readonly size: number;
}

/**
 * The map between a model's named tensors and one flat `Float32Array`: names in order, shapes,
 * offsets and the total size. Every reply of a round is read in the round's layout.
 */
export interface ParameterLayout {
  readonly tensors: readonly TensorSlot[];
  /** Total number of float32 elements. */
  readonly size: number;
}

/** Builds a layout from names and shapes, in the order given. */
export function createLayout(specs: ReadonlyArray<{ name: string; shape: readonly number[] }>): ParameterLayout {
  const seen = new Set<string>();
  let offset = 0;
  const tensors = specs.map(({ name, shape }) => {
    if (seen.has(name)) {
      throw new StrategyError(StrategyErrorCode.INVALID_TENSORS, 'tensor name appears twice in the layout', { tensor: name });
    }
    seen.add(name);
    for (const dim of shape) {
      if (!Number.isInteger(dim) || dim < 0) {
        throw new StrategyError(StrategyErrorCode.INVALID_TENSORS, `shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`, { tensor: name });
      }
    }
    const size = shape.reduce((product, dim) => product * dim, 1);
    const slot: TensorSlot = { name, shape: [...shape], offset, size };
    offset += size;
    return slot;
  });
  return { tensors, size: offset };
}

/**
 * Copies named tensors into one flat vector in the layout's order. Tensors are matched by name, so
 * their order in `tensors` does not matter; a missing, extra or mis-shaped tensor is an error.
 */
export function flattenTensors(layout: ParameterLayout, tensors: readonly NamedTensor[]): Float32Array {
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  const flat = new Float32Array(layout.size);
  for (const slot of layout.tensors) {
    const tensor = byName.get(slot.name);
    if (tensor === undefined) {
      throw new StrategyError(StrategyErrorCode.INVALID_TENSORS, 'tensor of the layout is missing', { tensor: slot.name });
    }
    if (tensor.values.length !== slot.size || tensor.shape.join(',') !== slot.shape.join(',')) {
      throw new StrategyError(
        StrategyErrorCode.INVALID_TENSORS,
        `expected shape [${slot.shape.join(', ')}] (${slot.size} values), got shape [${tensor.shape.join(', ')}] (${tensor.values.length} values)`,
        { tensor: slot.name },
      );
    }
    flat.set(tensor.values, slot.offset);
    byName.delete(slot.name);
  }
  const extra = byName.keys().next();
  if (extra.done !== true) {
    throw new StrategyError(StrategyErrorCode.INVALID_TENSORS, 'tensor is not in the layout', { tensor: extra.value });
  }
  return flat;
}

/**
 * Splits a flat vector into named tensors. The values are views on `flat` (no copy): writing to
 * one writes to the other.
 */
export function unflattenTensors(layout: ParameterLayout, flat: Float32Array): NamedTensor[] {
  assertLength(layout, flat, 'flat parameters');
  return layout.tensors.map((slot) => ({
    name: slot.name,
    shape: slot.shape,
    values: flat.subarray(slot.offset, slot.offset + slot.size),
  }));
}

/** Maps an index of the flat vector to the tensor holding it and the index inside that tensor. */
export function locateFlatIndex(layout: ParameterLayout, flatIndex: number): { tensor: string; index: number } {
  let low = 0;
  let high = layout.tensors.length - 1;
  // Binary search on offsets; empty tensors share an offset with the next one, so take the last
  // slot whose offset is ≤ flatIndex and whose range holds it.
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (layout.tensors[middle]!.offset <= flatIndex) low = middle;
    else high = middle - 1;
  }
  const slot = layout.tensors[low];
  if (slot === undefined || flatIndex < 0 || flatIndex >= layout.size) {
    throw new RangeError(`flat index ${flatIndex} is outside a layout of ${layout.size} values`);
  }
  return { tensor: slot.name, index: flatIndex - slot.offset };
}

/** `local − global`, element-wise, into a new array (or into `out` when given). */
export function computeDelta(local: Float32Array, global: Float32Array, out = new Float32Array(local.length)): Float32Array {
  if (local.length !== global.length || out.length !== local.length) {
    throw new RangeError(`lengths differ: local ${local.length}, global ${global.length}, out ${out.length}`);
  }
  for (let i = 0; i < local.length; i++) out[i] = local[i]! - global[i]!;
  return out;
}

/** `weights + scale · delta`, element-wise, into a new array (or into `out`, which may be `weights`). */
export function applyDelta(weights: Float32Array, delta: Float32Array, scale = 1, out = new Float32Array(weights.length)): Float32Array {
  if (weights.length !== delta.length || out.length !== weights.length) {
    throw new RangeError(`lengths differ: weights ${weights.length}, delta ${delta.length}, out ${out.length}`);
  }
  for (let i = 0; i < weights.length; i++) out[i] = weights[i]! + scale * delta[i]!;
  return out;
}

function assertLength(layout: ParameterLayout, values: Float32Array, what: string): void {
  if (values.length !== layout.size) {
    throw new StrategyError(StrategyErrorCode.LAYOUT_MISMATCH, `${what} hold ${values.length} values, the layout ${layout.size}`);
  }
}
