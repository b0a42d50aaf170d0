import { ResearcherError } from './errors';

/**
 * Count, mean and second moments of some features over a set of rows: per feature M2 = Σ(x − mean)²
 * (`second[j]`), or the co-moments C = Σ(x_a − mean_a)(x_b − mean_b) (`second[a·k + b]`).
 */
export interface MomentsPart {
  /** Rows; not an integer under differential privacy noise. */
  readonly count: number;
  readonly mean: readonly number[];
  readonly second: readonly number[];
}

/** Which two features each entry of `second` multiplies: itself (M2), or row-major pairs (co-moments). */
export type MomentLayout = 'diagonal' | 'matrix';

/**
 * Merges the moments of disjoint row sets into those of their union, exactly, with no row needed:
 * Chan, Golub and LeVeque's parallel update, `M = Ma + Mb + δa δb · na nb / n` with δ = meanb − meana.
 * Parts with a count of 0 or less add nothing. Throws `BAD_REPLY` when the parts disagree on the
 * number of features.
 */
export function mergeMoments(parts: readonly MomentsPart[], layout: MomentLayout, where: string): { count: number; mean: number[]; second: number[] } {
  const k = parts[0]?.mean.length ?? 0;
  const size = layout === 'diagonal' ? k : k * k;
  const pair = (i: number): [number, number] => (layout === 'diagonal' ? [i, i] : [Math.floor(i / k), i % k]);
  let count = 0;
  const mean = new Float64Array(k);
  const second = new Float64Array(size);
  parts.forEach((part, index) => {
    if (part.mean.length !== k || part.second.length !== size) {
      throw new ResearcherError('BAD_REPLY', `${where} #${index}: ${part.mean.length} means and ${part.second.length} second moments, the first part has ${k} features`);
    }
    if (!(part.count > 0)) return;
    const total = count + part.count;
    const delta = Array.from(mean, (m, j) => (part.mean[j] as number) - m);
    for (let i = 0; i < size; i += 1) {
      const [a, b] = pair(i);
      second[i] = (second[i] as number) + (part.second[i] as number) + ((delta[a] as number) * (delta[b] as number) * count * part.count) / total;
    }
    for (let j = 0; j < k; j += 1) mean[j] = (mean[j] as number) + ((delta[j] as number) * part.count) / total;
    count = total;
  });
  return { count, mean: Array.from(mean), second: Array.from(second) };
}
