import { StrategyError } from './errors';
import { applyDelta, computeDelta, createLayout, flattenTensors, locateFlatIndex, unflattenTensors } from './parameters';

const layout = createLayout([
  { name: 'w', shape: [2, 2] },
  { name: 'empty', shape: [0] },
  { name: 'b', shape: [2] },
  { name: 's', shape: [] },
]);

describe('parameter layout', () => {
  it('records offsets, sizes and the total', () => {
    expect(layout.size).toBe(7);
    expect(layout.tensors.map((t) => [t.name, t.offset, t.size])).toEqual([
      ['w', 0, 4],
      ['empty', 4, 0],
      ['b', 4, 2],
      ['s', 6, 1],
    ]);
  });

  it('flattens by name in layout order and unflattens to views', () => {
    const flat = flattenTensors(layout, [
      { name: 's', shape: [], values: Float32Array.of(9) },
      { name: 'b', shape: [2], values: Float32Array.of(5, 6) },
      { name: 'empty', shape: [0], values: new Float32Array(0) },
      { name: 'w', shape: [2, 2], values: Float32Array.of(1, 2, 3, 4) },
    ]);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6, 9]);
    const tensors = unflattenTensors(layout, flat);
    tensors[2]!.values[0] = 50;
    expect(flat[4]).toBe(50);
    expect(tensors[2]!.values.buffer).toBe(flat.buffer);
  });

  it('names the tensor that is missing, extra or mis-shaped', () => {
    expect(() => flattenTensors(layout, [])).toThrow(/INVALID_TENSORS.*tensor "w"/);
    const ok = [
      { name: 'w', shape: [2, 2], values: new Float32Array(4) },
      { name: 'empty', shape: [0], values: new Float32Array(0) },
      { name: 'b', shape: [2], values: new Float32Array(2) },
      { name: 's', shape: [], values: new Float32Array(1) },
    ];
    expect(() => flattenTensors(layout, [...ok, { name: 'x', shape: [1], values: new Float32Array(1) }])).toThrow(/tensor "x"/);
    expect(() => flattenTensors(layout, [{ ...ok[0]!, shape: [4] }, ...ok.slice(1)])).toThrow(/expected shape \[2, 2\].*got shape \[4\].*tensor "w"/);
    expect(() => createLayout([{ name: 'a', shape: [1] }, { name: 'a', shape: [1] }])).toThrow(StrategyError);
    expect(() => createLayout([{ name: 'a', shape: [1.5] }])).toThrow(/non-negative integer/);
  });

  it('maps flat indices to tensor and index, skipping empty tensors', () => {
    expect(locateFlatIndex(layout, 0)).toEqual({ tensor: 'w', index: 0 });
    expect(locateFlatIndex(layout, 3)).toEqual({ tensor: 'w', index: 3 });
    expect(locateFlatIndex(layout, 4)).toEqual({ tensor: 'b', index: 0 });
    expect(locateFlatIndex(layout, 6)).toEqual({ tensor: 's', index: 0 });
    expect(() => locateFlatIndex(layout, 7)).toThrow(RangeError);
  });

  it('computes and applies deltas', () => {
    const global = Float32Array.of(1, 2, 3);
    const local = Float32Array.of(1.5, 1, 3);
    const delta = computeDelta(local, global);
    expect(Array.from(delta)).toEqual([0.5, -1, 0]);
    expect(Array.from(applyDelta(global, delta))).toEqual([1.5, 1, 3]);
    expect(Array.from(applyDelta(global, delta, 2, global))).toEqual([2, 0, 3]);
    expect(() => computeDelta(local, new Float32Array(2))).toThrow(RangeError);
  });
});
