/** Most inputs folded in one pass over the accumulator: one read and write of Σ per 4 inputs. */
const BATCH = 4;
/**
 * Coordinates per block: the block's Float64 sums (16 KiB) stay in L1 while every input streams
 * through once. The streaming fold also goes block by block, so that its loop runs as ordinary
 * optimised code rather than one long on-stack-replaced call.
 */
const BLOCK = 2048;

/** One input of {@link WeightedMeanAccumulator.meanOf}. */
export interface WeightedInput<T> {
  readonly values: Float32Array;
  /** Its weight, ≥ 0 (a sample count). */
  readonly weight: number;
  /** Identifies it to the non-finite handler. */
  readonly tag: T;
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
 * one pass over the input bytes. When every input is at hand, {@link WeightedMeanAccumulator.meanOf}
 * gives the same bits faster.
 *
 * Checking: each coordinate's batch term is tested before it is added; at the first non-finite one
 * the inputs at fault go to the handler and, if dropped, their terms for the coordinates already
 * folded are subtracted back out in Float64. The result then equals the mean without them up to
 * Float64 rounding (invisible in float32 but for rare last bits); folding resumes where it stopped.
 *
 * Weights are sample counts, below 2⁵³ (so that no Float64 sum of float32 terms can overflow).
 * While every weight is 0 the plain sum is kept, so "every n is 0" falls back to equal weights;
 * the first positive weight (checked in full first, so that it cannot be dropped later) resets it,
 * and zero-weight inputs weigh nothing from then on. With integer weights below 2²⁹ every product
 * nᵢ·xᵢ and every partial sum of identical inputs is exact, so the mean of identical inputs is
 * that input (up to the sign of zero: the sum starts at +0).
 *
 * The same inputs in the same order give the same bits.
 */
export class WeightedMeanAccumulator<T = number> {
  private readonly sum: Float64Array;
  private readonly pending: Array<WeightedInput<T>> = [];
  private totalWeight = 0;
  /** False while every weight seen is 0 (equal weights); true from the first valid positive weight. */
  private weighted = false;
  /** Inputs folded while every weight was 0 (the divisor of the equal-weight fallback). */
  private equalCount = 0;
  private accepted = 0;
  /** Whether `sum` holds zeros yet: it is written only when the first batch is folded. */
  private zeroed = false;
  private finished = false;

  constructor(
    readonly size: number,
    private readonly onNonFinite: NonFiniteHandler<T> = throwOnNonFinite,
  ) {
    // Lazily zeroed by the OS: pages cost memory only once written (meanOf writes half of them).
    this.sum = new Float64Array(size);
  }

  /**
   * The weighted mean of inputs that are all at hand (replies already received), with the bits,
   * handler calls and `null` of adding them one by one in this order and calling
   * {@link WeightedMeanAccumulator.result}, with less work.
   *
   * It goes block by block of coordinates across all inputs at once: each input is read once, the
   * block's Float64 sums (folded four inputs at a time, as {@link WeightedMeanAccumulator.add}
   * does) stay in cache, and the last batch of each block writes (Σ + term) / Σw straight into
   * the float32 result. No
   * P-sized Float64 sum is written, so little more than P·4 of the 2·P·4 bytes reserved are
   * touched. At the first non-finite term it starts over, in the same bytes, on the streaming
   * path, which reports and drops inputs.
   */
  static meanOf<T>(size: number, inputs: ReadonlyArray<WeightedInput<T>>, onNonFinite?: NonFiniteHandler<T>): Float32Array | null {
    const mean = new WeightedMeanAccumulator<T>(size, onNonFinite);
    for (const input of inputs) mean.check(input.values, input.weight);
    const blocked = inputs.length > 0 ? mean.blockMean(inputs) : null;
    if (blocked !== null) {
      mean.accepted = inputs.length;
      mean.finished = true;
      return blocked;
    }
    for (const input of inputs) mean.add(input.values, input.weight, input.tag);
    return mean.result();
  }

  /** Number of inputs folded in (or pending) and not dropped. */
  get inputs(): number {
    return this.accepted + this.pending.length;
  }

  /** Queues `values` with weight `weight` (in [0, 2⁵³)); `tag` identifies it to the non-finite handler. */
  add(values: Float32Array, weight: number, tag: T): void {
    this.check(values, weight);
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
    const divisor = this.divisor();
    const sum = this.sum;
    const out = this.output();
    // out[i] occupies bytes [4i, 4i+4), below sum[i]'s [8i, 8i+8) except at i = 0 where sum[0] is
    // read before out[0] is written: the forward loop never overwrites an unread sum. Dividing
    // (not multiplying by 1/divisor) keeps n·x / n == x exact for identical inputs.
    for (let i = 0; i < this.size; i++) out[i] = sum[i]! / divisor;
    return out;
  }

  private check(values: Float32Array, weight: number): void {
    if (this.finished) throw new Error('WeightedMeanAccumulator.add after result()');
    if (values.length !== this.size) throw new RangeError(`expected ${this.size} values, got ${values.length}`);
    if (!(weight >= 0 && weight < 2 ** 53)) throw new RangeError(`weight must be a number in [0, 2⁵³), got ${weight}`);
  }

  private output(): Float32Array {
    return new Float32Array(this.sum.buffer, this.sum.byteOffset, this.size);
  }

  private divisor(): number {
    return this.weighted ? this.totalWeight : this.equalCount;
  }

  /**
   * {@link WeightedMeanAccumulator.meanOf}'s pass, or `null` at the first non-finite term. Knowing
   * every weight up front, it takes the weighted mode from the start: the streaming path's sums of
   * zero-weight batches before its switch are ±0, which its reset to +0 and this pass's +0 + ±0
   * both make +0, so the bits agree.
   */
  private blockMean(inputs: ReadonlyArray<WeightedInput<T>>): Float32Array | null {
    this.weighted = inputs.some((input) => input.weight > 0);
    for (const input of inputs) {
      if (this.weighted) this.totalWeight += input.weight;
      else this.equalCount++;
    }
    const batches: Batch[] = [];
    for (let i = 0; i < inputs.length; i += BATCH) {
      const batch = inputs.slice(i, i + BATCH);
      batches.push(toBatch(batch.map((input) => input.values), batch.map((input) => (this.weighted ? input.weight : 1))));
    }
    const last = batches.pop()!;
    const divisor = this.divisor();
    const out = this.output();
    // The block's sums live in the half of the reservation that the float32 result leaves free
    // (bytes from 8·⌈P/2⌉ ≥ 4·P on), so the whole pass stays within 2·P·4 bytes.
    const room = Math.floor(this.size / 2);
    const blockLength = Math.max(1, Math.min(BLOCK, room));
    const block = room > 0 ? new Float64Array(this.sum.buffer, this.sum.byteOffset + 8 * Math.ceil(this.size / 2), blockLength) : new Float64Array(1);
    for (let start = 0; start < this.size; start += blockLength) {
      const end = Math.min(this.size, start + blockLength);
      block.fill(0);
      let bad = -1;
      for (let i = 0; i < batches.length && bad < 0; i++) bad = foldBatch(block, start, batches[i]!, start, end);
      if (bad < 0) bad = finishBatch(block, start, last, start, end, out, divisor);
      if (bad >= 0) {
        this.weighted = false;
        this.totalWeight = 0;
        this.equalCount = 0;
        return null;
      }
    }
    return out;
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    if (!this.zeroed) {
      // Writing zeros first costs one page fault per page; a first read then write costs two.
      this.sum.fill(0);
      this.zeroed = true;
    }
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
  private switchToWeighted(batch: Array<WeightedInput<T>>): void {
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

  /** {@link foldBatch} over the whole sum from `from` on, block by block. */
  private foldRange(batch: ReadonlyArray<WeightedInput<T>>, weights: readonly number[], from: number): number {
    const terms = toBatch(batch.map((input) => input.values), weights);
    for (let start = from; start < this.size; start += BLOCK) {
      const bad = foldBatch(this.sum, 0, terms, start, Math.min(this.size, start + BLOCK));
      if (bad >= 0) return bad;
    }
    return -1;
  }

  /**
   * Hands every input that is non-finite at `index` (the first bad coordinate of the batch, so
   * also each one's first) to the handler, and backs its terms for [0, index) out of the sum.
   */
  private dropInputsBadAt(batch: Array<WeightedInput<T>>, weights: number[], index: number): void {
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

/**
 * Up to four inputs and their weights, padded to exactly four with the first input at weight 0 so
 * that one loop serves every batch size. The padding adds ±0 to each term: the term's bits change
 * only from −0 to +0, and no sum it meets is −0 (sums start at +0, and x + y is −0 only when both
 * are), so every sum keeps its bits. A non-finite first input already makes the term non-finite.
 */
interface Batch {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly c: Float32Array;
  readonly d: Float32Array;
  readonly wa: number;
  readonly wb: number;
  readonly wc: number;
  readonly wd: number;
}

function toBatch(values: readonly Float32Array[], weights: readonly number[]): Batch {
  const a = values[0]!;
  return {
    a,
    b: values[1] ?? a,
    c: values[2] ?? a,
    d: values[3] ?? a,
    wa: weights[0]!,
    wb: weights[1] ?? 0,
    wc: weights[2] ?? 0,
    wd: weights[3] ?? 0,
  };
}

/**
 * Adds the batch term wa·a[j] + wb·b[j] + wc·c[j] + wd·d[j] to sum[j − offset] for j in
 * [from, to), stopping before the first j where that term is not finite (a NaN or an infinity in
 * some input: 0·Infinity is NaN too, and float32 values times weights below 2⁵³ cannot overflow
 * Float64). Returns that j, or -1 when the range is folded.
 */
function foldBatch(sum: Float64Array, offset: number, batch: Batch, from: number, to: number): number {
  const { a, b, c, d, wa, wb, wc, wd } = batch;
  for (let j = from; j < to; j++) {
    const v = wa * a[j]! + wb * b[j]! + wc * c[j]! + wd * d[j]!;
    if (v - v !== 0) return j;
    sum[j - offset]! += v;
  }
  return -1;
}

/**
 * {@link foldBatch} for a block's last batch: writes (sum + term) / divisor straight to out[j] as
 * float32 (the bits of adding, then narrowing), saving a pass over the block.
 */
function finishBatch(sum: Float64Array, offset: number, batch: Batch, from: number, to: number, out: Float32Array, divisor: number): number {
  const { a, b, c, d, wa, wb, wc, wd } = batch;
  for (let j = from; j < to; j++) {
    const v = wa * a[j]! + wb * b[j]! + wc * c[j]! + wd * d[j]!;
    if (v - v !== 0) return j;
    out[j] = (sum[j - offset]! + v) / divisor;
  }
  return -1;
}

function firstNonFinite(values: Float32Array): number {
  for (let j = 0; j < values.length; j++) {
    const v = values[j]!;
    if (v - v !== 0) return j;
  }
  return -1;
}
