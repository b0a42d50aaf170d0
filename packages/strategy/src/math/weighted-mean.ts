/**
 * Streaming weighted mean of flat vectors: Σ wᵢ·xᵢ / Σ wᵢ, accumulated in Float64.
 *
 * Memory is one Float64Array of P (2·P·4 bytes) whatever the number of inputs, and
 * {@link WeightedMeanAccumulator.result} narrows it to float32 in place, so the whole aggregate
 * costs 2·P·4 bytes beyond the inputs.
 *
 * Weights are sample counts. While every weight seen is 0 the accumulator keeps the plain sum, so
 * "every n is 0" falls back to equal weights; the first positive weight resets it (zero-weight
 * inputs weigh nothing once any weight is positive). With integer weights below 2²⁹ every product
 * nᵢ·xᵢ is exact in Float64, so the mean of identical inputs is that input, bit for bit
 * (up to the sign of zero: the sum starts at +0).
 */
export class WeightedMeanAccumulator {
  private readonly sum: Float64Array;
  private totalWeight = 0;
  private count = 0;
  private finished = false;

  constructor(readonly size: number) {
    this.sum = new Float64Array(size);
  }

  /** Number of inputs folded in so far. */
  get inputs(): number {
    return this.count;
  }

  /** Folds `values` in with weight `weight` (≥ 0). */
  add(values: Float32Array, weight: number): void {
    if (this.finished) throw new Error('WeightedMeanAccumulator.add after result()');
    if (values.length !== this.size) throw new RangeError(`expected ${this.size} values, got ${values.length}`);
    const sum = this.sum;
    const n = this.size;
    this.count++;
    if (weight > 0 && this.totalWeight === 0 && this.count > 1) sum.fill(0);
    if (weight > 0) {
      this.totalWeight += weight;
      for (let i = 0; i < n; i++) sum[i]! += weight * values[i]!;
    } else if (this.totalWeight === 0) {
      for (let i = 0; i < n; i++) sum[i]! += values[i]!;
    }
  }

  /**
   * The mean as float32, written over the accumulator's own buffer (a view on its first half).
   * Call once; the accumulator is spent afterwards.
   */
  result(): Float32Array {
    if (this.count === 0) throw new Error('WeightedMeanAccumulator.result with no input');
    this.finished = true;
    const divisor = this.totalWeight > 0 ? this.totalWeight : this.count;
    const sum = this.sum;
    const out = new Float32Array(sum.buffer, sum.byteOffset, this.size);
    // out[i] occupies bytes [4i, 4i+4), below sum[i]'s [8i, 8i+8) except at i = 0 where sum[0] is
    // read before out[0] is written: the forward loop never overwrites an unread sum.
    for (let i = 0; i < this.size; i++) out[i] = sum[i]! / divisor;
    return out;
  }
}
