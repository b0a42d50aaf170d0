/** Most inputs folded in one pass over the accumulator: one read and write of Σ per 4 inputs. */
const BATCH = 4;

interface Pending<T> {
  values: Float32Array;
  weight: number;
  tag: T;
}

/**
 * Called when an input holds NaN or ±Infinity at `flatIndex`. Throw to abort; return to drop the
 * input (its contribution is taken back out and the mean goes on without it).
 */
export type NonFiniteHandler<T> = (tag: T, flatIndex: number, value: number) => void;

const throwOnNonFinite: NonFiniteHandler<unknown> = (_tag, flatIndex, value) => {
  throw new RangeError(`input holds ${value} at flat index ${flatIndex}`);
};

/**
 * Streaming weighted mean of flat vectors, Σ wᵢ·xᵢ / Σ wᵢ, accumulated in Float64, that checks
 * every input for NaN and ±Infinity while it folds it in.
 *
 * Memory: one Float64Array of P (2·P·4 bytes), whatever the number of inputs;
 * {@link WeightedMeanAccumulator.result} narrows the sum to float32 in place. Inputs are folded
 * four at a time (so up to three are held by reference until the fourth arrives or `result` is
 * called), which reads and writes the accumulator once per four inputs: the aggregate costs about
 * one pass over the input bytes.
 *
 * Checking: each coordinate's batch term is tested before it is added; at the first non-finite one
 * the inputs at fault go to the handler and, if dropped, their terms for the coordinates already
 * folded are subtracted back out in Float64. The result then equals the mean without them up to
 * Float64 rounding (invisible in float32 but for rare last bits); folding resumes where it stopped.
 *
 * Weights are sample counts. While every weight is 0 the plain sum is kept, so "every n is 0"
 * falls back to equal weights; the first positive weight (checked in full first, so that it cannot
 * be dropped later) resets it, and zero-weight inputs weigh nothing from then on. With integer
 * weights below 2²⁹ every product nᵢ·xᵢ and every partial sum of identical inputs is exact, so the
 * mean of identical inputs is that input (up to the sign of zero: the sum starts at +0).
 *
 * The same inputs in the same order give the same bits.
 */
export class WeightedMeanAccumulator<T = number> {
  private readonly sum: Float64Array;
  private readonly pending: Array<Pending<T>> = [];
  private totalWeight = 0;
  /** False while every weight seen is 0 (equal weights); true from the first valid positive weight. */
  private weighted = false;
  /** Inputs folded while every weight was 0 (the divisor of the equal-weight fallback). */
  private equalCount = 0;
  private accepted = 0;
  private finished = false;

  constructor(
    readonly size: number,
    private readonly onNonFinite: NonFiniteHandler<T> = throwOnNonFinite,
  ) {
    this.sum = new Float64Array(size);
    // A fresh buffer is lazily zeroed by the OS: touching each page first with a read and then a
    // write costs two page faults, one write costs one. Writing the zeros up front is faster.
    this.sum.fill(0);
  }

  /** Number of inputs folded in (or pending) and not dropped. */
  get inputs(): number {
    return this.accepted + this.pending.length;
  }

  /** Queues `values` with weight `weight` (≥ 0); `tag` identifies it to the non-finite handler. */
  add(values: Float32Array, weight: number, tag: T): void {
    if (this.finished) throw new Error('WeightedMeanAccumulator.add after result()');
    if (values.length !== this.size) throw new RangeError(`expected ${this.size} values, got ${values.length}`);
    if (!(weight >= 0 && weight < Infinity)) throw new RangeError(`weight must be a finite number ≥ 0, got ${weight}`);
    this.pending.push({ values, weight, tag });
    if (this.pending.length === BATCH) this.flush();
  }

  /**
   * The mean as float32, written over the accumulator's own buffer (a view on its first half), or
   * `null` when every input was dropped. Call once; the accumulator is spent afterwards.
   */
  result(): Float32Array | null {
    this.flush();
    this.finished = true;
    if (this.accepted === 0) return null;
    const divisor = this.weighted ? this.totalWeight : this.equalCount;
    const sum = this.sum;
    const out = new Float32Array(sum.buffer, sum.byteOffset, this.size);
    // out[i] occupies bytes [4i, 4i+4), below sum[i]'s [8i, 8i+8) except at i = 0 where sum[0] is
    // read before out[0] is written: the forward loop never overwrites an unread sum. Dividing
    // (not multiplying by 1/divisor) keeps n·x / n == x exact for identical inputs.
    for (let i = 0; i < this.size; i++) out[i] = sum[i]! / divisor;
    return out;
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    if (!this.weighted && batch.some((input) => input.weight > 0)) this.switchToWeighted(batch);
    const weighted = this.weighted;
    const effective = batch.map((input) => (weighted ? input.weight : 1));
    let from = 0;
    while (batch.length > 0) {
      const bad = this.foldRange(batch, effective, from);
      if (bad < 0) break;
      this.dropInputsBadAt(batch, effective, bad);
      from = bad;
    }
    for (const input of batch) {
      if (weighted) this.totalWeight += input.weight;
      else this.equalCount++;
    }
    this.accepted += batch.length;
  }

  /**
   * Leaves the equal-weight mode: the first positive-weight input is checked in full (dropping bad
   * ones) so that the reset below can never be followed by losing every positive weight.
   */
  private switchToWeighted(batch: Array<Pending<T>>): void {
    for (let i = batch.findIndex((input) => input.weight > 0); i >= 0; i = batch.findIndex((input) => input.weight > 0)) {
      const input = batch[i]!;
      const bad = firstNonFinite(input.values);
      if (bad < 0) {
        this.sum.fill(0);
        this.weighted = true;
        return;
      }
      this.onNonFinite(input.tag, bad, input.values[bad]!);
      batch.splice(i, 1);
    }
  }

  /**
   * Adds Σ wᵢ·xᵢ[j] to the sum for j from `from` on, stopping before the first j where that term is
   * not finite (a NaN or an infinity in some input: 0·Infinity is NaN too, and finite float32 times
   * finite weights cannot overflow Float64). Returns that j, or -1 when the batch is folded.
   */
  private foldRange(batch: ReadonlyArray<Pending<T>>, weights: readonly number[], from: number): number {
    const sum = this.sum;
    const n = this.size;
    // One monomorphic loop per batch size: V8 keeps each one tight.
    switch (batch.length) {
      case 1: {
        const a = batch[0]!.values;
        const wa = weights[0]!;
        for (let j = from; j < n; j++) {
          const v = wa * a[j]!;
          if (v - v !== 0) return j;
          sum[j]! += v;
        }
        return -1;
      }
      case 2: {
        const a = batch[0]!.values;
        const b = batch[1]!.values;
        const wa = weights[0]!;
        const wb = weights[1]!;
        for (let j = from; j < n; j++) {
          const v = wa * a[j]! + wb * b[j]!;
          if (v - v !== 0) return j;
          sum[j]! += v;
        }
        return -1;
      }
      case 3: {
        const a = batch[0]!.values;
        const b = batch[1]!.values;
        const c = batch[2]!.values;
        const wa = weights[0]!;
        const wb = weights[1]!;
        const wc = weights[2]!;
        for (let j = from; j < n; j++) {
          const v = wa * a[j]! + wb * b[j]! + wc * c[j]!;
          if (v - v !== 0) return j;
          sum[j]! += v;
        }
        return -1;
      }
      default: {
        const a = batch[0]!.values;
        const b = batch[1]!.values;
        const c = batch[2]!.values;
        const d = batch[3]!.values;
        const wa = weights[0]!;
        const wb = weights[1]!;
        const wc = weights[2]!;
        const wd = weights[3]!;
        for (let j = from; j < n; j++) {
          const v = wa * a[j]! + wb * b[j]! + wc * c[j]! + wd * d[j]!;
          if (v - v !== 0) return j;
          sum[j]! += v;
        }
        return -1;
      }
    }
  }

  /**
   * Hands every input that is non-finite at `index` (the first bad coordinate of the batch, so
   * also each one's first) to the handler, and backs its terms for [0, index) out of the sum.
   */
  private dropInputsBadAt(batch: Array<Pending<T>>, weights: number[], index: number): void {
    for (let i = batch.length - 1; i >= 0; i--) {
      const input = batch[i]!;
      const value = input.values[index]!;
      if (value - value === 0) continue;
      this.onNonFinite(input.tag, index, value);
      const w = weights[i]!;
      const sum = this.sum;
      for (let j = 0; j < index; j++) sum[j]! -= w * input.values[j]!;
      batch.splice(i, 1);
      weights.splice(i, 1);
    }
  }
}

function firstNonFinite(values: Float32Array): number {
  for (let j = 0; j < values.length; j++) {
    const v = values[j]!;
    if (v - v !== 0) return j;
  }
  return -1;
}
