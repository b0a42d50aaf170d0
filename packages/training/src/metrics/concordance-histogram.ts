import { TrainingError } from '../errors';
import type { Labels } from './classification';
import { concordancePairs } from './survival';

/**
 * Shared bin edges for pooling the concordance index, each list finite and strictly increasing.
 * With edges e₀ < … < e₍ₖ₋₁₎ there are k + 1 bins: bin 0 holds values below e₀, bin i holds
 * [e₍ᵢ₋₁₎, eᵢ), bin k holds e₍ₖ₋₁₎ and above. The proto `ConcordanceBinning`.
 */
export interface ConcordanceBinning {
  /** Edges on the survival time, in the dataset's unit. */
  readonly timeEdges: readonly number[];
  /** Edges on the model's risk score (its single output). */
  readonly riskEdges: readonly number[];
}

/**
 * A node's test samples counted per (time bin, event flag, risk bin) cell, non-empty cells only
 * (the i-th entry of each list is one cell), plus its exact within-node pair counts. Counts only,
 * never a sample's time, event or risk; the proto `ConcordanceHistogram`.
 */
export interface ConcordanceHistogram {
  readonly timeBins: number[];
  /** 1 for an observed event, 0 for a censored time. */
  readonly events: number[];
  readonly riskBins: number[];
  readonly counts: number[];
  /** Comparable pairs among the node's own samples (lifelines' rules, see `concordanceIndex`). */
  readonly comparablePairs: number;
  /** Comparable pairs whose earlier sample has the strictly higher risk. */
  readonly concordantPairs: number;
  /** Comparable pairs with equal risks. */
  readonly tiedRiskPairs: number;
}

/** A pooled C-index and the most it can differ from the C-index of the concatenated samples. */
export interface PooledConcordance {
  /** The estimate; NaN when no pair is known to be comparable. */
  readonly value: number;
  /** |value − exact pooled C-index| ≤ errorBound; at most (½·U_r + U_t) / (M + U_t), see {@link pooledConcordanceIndex}. */
  readonly errorBound: number;
  readonly sampleCount: number;
}

/** Most edges a binning may hold per axis: it bounds the work and the size of a node's reply. */
export const MAX_CONCORDANCE_EDGES = 100_000;

/** `count` edges evenly spaced from `from` to `to` inclusive (one edge: `from`). */
export function evenEdges(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? from : from + ((to - from) * i) / (count - 1)));
}

/** `count` edges evenly spaced on a log scale from `from` to `to` inclusive (both positive). */
export function logEdges(from: number, to: number, count: number): number[] {
  return evenEdges(Math.log(from), Math.log(to), count).map(Math.exp);
}

/**
 * The binning `Experiment.evaluate` sends unless told otherwise: times on a log scale from 10⁻³ to
 * 10⁶ (200 bins per decade, each about 1.2 % wide), risks from −20 to 20 in steps of 0.005 (a
 * linear Cox predictor's range). A study knowing its time unit and risk range does better with its own.
 */
export const DEFAULT_CONCORDANCE_BINNING: ConcordanceBinning = Object.freeze({
  timeEdges: Object.freeze(logEdges(1e-3, 1e6, 1801)),
  riskEdges: Object.freeze(evenEdges(-20, 20, 8001)),
});

/** Why `binning` cannot be used, or undefined when it can. */
export function concordanceBinningProblem(binning: ConcordanceBinning): string | undefined {
  for (const [axis, edges] of [['time', binning.timeEdges], ['risk', binning.riskEdges]] as const) {
    if (edges.length > MAX_CONCORDANCE_EDGES) return `${axis} edges number ${edges.length}, more than ${MAX_CONCORDANCE_EDGES}`;
    for (let i = 0; i < edges.length; i++) {
      if (!Number.isFinite(edges[i])) return `${axis} edge ${i} is ${edges[i]}, not a finite number`;
      if (i > 0 && !(edges[i]! > edges[i - 1]!)) return `${axis} edges are not strictly increasing at edge ${i} (${edges[i - 1]} then ${edges[i]})`;
    }
  }
  return undefined;
}

/**
 * Counts survival samples per cell of `binning` and their exact pair counts: what a node sends so
 * that the researcher can pool the C-index (see {@link pooledConcordanceIndex}).
 *
 * @throws TrainingError `INVALID_ARGUMENT` for an unusable binning, lengths that differ, or a NaN time or risk
 */
export function concordanceHistogram(times: Labels, events: Labels, risks: Labels, binning: ConcordanceBinning): ConcordanceHistogram {
  const problem = concordanceBinningProblem(binning);
  if (problem !== undefined) throw new TrainingError('INVALID_ARGUMENT', `concordance binning: ${problem}`);
  const pairs = concordancePairs(times, events, risks);
  const riskBinCount = binning.riskEdges.length + 1;
  const cells = new Map<number, number>();
  for (let i = 0; i < times.length; i++) {
    if (Number.isNaN(times[i]) || Number.isNaN(risks[i])) throw new TrainingError('INVALID_ARGUMENT', `concordance histogram: sample ${i} has a NaN time or risk`);
    const key = (binOf(times[i]!, binning.timeEdges) * 2 + (events[i] ? 1 : 0)) * riskBinCount + binOf(risks[i]!, binning.riskEdges);
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const keys = [...cells.keys()].sort((a, b) => a - b);
  return {
    timeBins: keys.map((key) => Math.floor(key / riskBinCount / 2)),
    events: keys.map((key) => Math.floor(key / riskBinCount) % 2),
    riskBins: keys.map((key) => key % riskBinCount),
    counts: keys.map((key) => cells.get(key)!),
    comparablePairs: pairs.comparable,
    concordantPairs: pairs.concordant,
    tiedRiskPairs: pairs.tiedRisk,
  };
}

/** Why `histogram` cannot be pooled under `binning`, or undefined when it can. */
export function concordanceHistogramProblem(histogram: ConcordanceHistogram, binning: ConcordanceBinning): string | undefined {
  const cells = histogram.counts.length;
  if (histogram.timeBins.length !== cells || histogram.events.length !== cells || histogram.riskBins.length !== cells) {
    return `lists ${histogram.timeBins.length} time bins, ${histogram.events.length} event flags, ${histogram.riskBins.length} risk bins and ${cells} counts; expected as many of each`;
  }
  const isCount = (value: number) => Number.isSafeInteger(value) && value >= 0;
  for (let i = 0; i < cells; i++) {
    if (!isCount(histogram.counts[i]!)) return `cell ${i} holds a count of ${histogram.counts[i]}, not a non-negative integer`;
    if (histogram.events[i] !== 0 && histogram.events[i] !== 1) return `cell ${i} has event flag ${histogram.events[i]}, expected 0 or 1`;
    if (!isCount(histogram.timeBins[i]!) || histogram.timeBins[i]! > binning.timeEdges.length) return `cell ${i} is in time bin ${histogram.timeBins[i]}, beyond the ${binning.timeEdges.length + 1} bins asked`;
    if (!isCount(histogram.riskBins[i]!) || histogram.riskBins[i]! > binning.riskEdges.length) return `cell ${i} is in risk bin ${histogram.riskBins[i]}, beyond the ${binning.riskEdges.length + 1} bins asked`;
  }
  const { comparablePairs, concordantPairs, tiedRiskPairs } = histogram;
  if (![comparablePairs, concordantPairs, tiedRiskPairs].every(isCount) || concordantPairs + tiedRiskPairs > comparablePairs) {
    return `has pair counts ${comparablePairs} comparable, ${concordantPairs} concordant, ${tiedRiskPairs} tied; expected non-negative integers, concordant + tied ≤ comparable`;
  }
  return undefined;
}

/**
 * The C-index of the union of the nodes' samples, from their {@link ConcordanceHistogram}s under one
 * `binning`. Pairs within a node are counted exactly (its own pair counts). A pair across nodes is
 * read from the cells: its samples in different time bins are ordered by their bins, comparable
 * when the earlier one had an event, concordant when its risk bin is higher, discordant when lower
 * and counted ½ when the two share a risk bin (U_r such pairs); two samples in the same time bin, at
 * least one with an event, might or might not be comparable and are left out (U_t such pairs). With
 * M the pairs known comparable and K their concordance, value = K / M, and the exact C-index lies
 * in [(K − ½U_r) / (M + U_t), (K + ½U_r + U_t) / (M + U_t)], so errorBound ≤ (½U_r + U_t) / (M + U_t):
 * the share of cross-node pairs that share a bin. It is 0, and value exact, when no two samples of
 * different nodes share a time bin (with an event) nor, if comparable, a risk bin.
 *
 * @throws TrainingError `INVALID_ARGUMENT` when a histogram cannot be pooled under `binning`, naming it by index
 */
export function pooledConcordanceIndex(histograms: readonly ConcordanceHistogram[], binning: ConcordanceBinning): PooledConcordance {
  histograms.forEach((histogram, index) => {
    const problem = concordanceHistogramProblem(histogram, binning);
    if (problem !== undefined) throw new TrainingError('INVALID_ARGUMENT', `concordance histogram ${index} ${problem}`);
  });
  const riskBinCount = binning.riskEdges.length + 1;
  const union = binnedPairs(histograms.flatMap(cellsOf), riskBinCount);
  const own = histograms.map((h) => binnedPairs(cellsOf(h), riskBinCount));
  const across = (field: keyof BinnedPairs) => union[field] - own.reduce((sum, pairs) => sum + pairs[field], 0);
  const tiedAcross = across('tiedRisk');
  const unorderedAcross = across('sameTimeBin');
  const known = histograms.reduce((sum, h) => sum + h.comparablePairs, 0) + across('comparable');
  const concordance =
    histograms.reduce((sum, h) => sum + h.concordantPairs + h.tiedRiskPairs / 2, 0) + across('concordant') + tiedAcross / 2;
  const sampleCount = histograms.reduce((sum, h) => sum + h.counts.reduce((a, c) => a + c, 0), 0);
  if (known === 0) return { value: Number.NaN, errorBound: Number.NaN, sampleCount };
  const value = concordance / known;
  const lower = (concordance - tiedAcross / 2) / (known + unorderedAcross);
  const upper = (concordance + tiedAcross / 2 + unorderedAcross) / (known + unorderedAcross);
  return { value, errorBound: Math.max(value - lower, upper - value, 0), sampleCount };
}

interface Cell {
  readonly timeBin: number;
  readonly event: boolean;
  readonly riskBin: number;
  readonly count: number;
}

/** Pair counts of binned samples, all pairs (within and across nodes) alike. */
interface BinnedPairs {
  /** Pairs in different time bins whose earlier sample had an event. */
  readonly comparable: number;
  /** Of those, pairs whose earlier sample is in the higher risk bin. */
  readonly concordant: number;
  /** Of those, pairs in the same risk bin. */
  readonly tiedRisk: number;
  /** Unordered pairs in one time bin with at least one event. */
  readonly sameTimeBin: number;
}

function cellsOf(h: ConcordanceHistogram): Cell[] {
  return h.counts.map((count, i) => ({ timeBin: h.timeBins[i]!, event: h.events[i] === 1, riskBin: h.riskBins[i]!, count }));
}

/** Sweeps time bins from the last, a Fenwick tree holding the risk bins of the samples already passed (later times). */
function binnedPairs(cells: readonly Cell[], riskBinCount: number): BinnedPairs {
  const byTime = new Map<number, Cell[]>();
  for (const cell of cells) {
    const group = byTime.get(cell.timeBin);
    if (group === undefined) byTime.set(cell.timeBin, [cell]);
    else group.push(cell);
  }
  const later = new FenwickTree(riskBinCount);
  let laterCount = 0;
  let comparable = 0;
  let concordant = 0;
  let tiedRisk = 0;
  let sameTimeBin = 0;
  const pairsAmong = (n: number) => (n * (n - 1)) / 2;
  for (const timeBin of [...byTime.keys()].sort((a, b) => b - a)) {
    const group = byTime.get(timeBin)!;
    let inBin = 0;
    let eventsInBin = 0;
    for (const cell of group) {
      inBin += cell.count;
      if (!cell.event) continue;
      eventsInBin += cell.count;
      comparable += cell.count * laterCount;
      concordant += cell.count * later.sumBelow(cell.riskBin);
      tiedRisk += cell.count * (later.sumBelow(cell.riskBin + 1) - later.sumBelow(cell.riskBin));
    }
    sameTimeBin += pairsAmong(inBin) - pairsAmong(inBin - eventsInBin);
    for (const cell of group) later.add(cell.riskBin, cell.count);
    laterCount += inBin;
  }
  return { comparable, concordant, tiedRisk, sameTimeBin };
}

/** Counts per bin with prefix sums in O(log n). */
class FenwickTree {
  readonly #tree: Float64Array;

  constructor(size: number) {
    this.#tree = new Float64Array(size + 1);
  }

  add(index: number, count: number): void {
    for (let i = index + 1; i < this.#tree.length; i += i & -i) this.#tree[i]! += count;
  }

  /** Sum of the counts of bins 0 … index − 1. */
  sumBelow(index: number): number {
    let sum = 0;
    for (let i = index; i > 0; i -= i & -i) sum += this.#tree[i]!;
    return sum;
  }
}

/** Index of the bin holding `value`: the number of edges at or below it. */
function binOf(value: number, edges: readonly number[]): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (edges[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
