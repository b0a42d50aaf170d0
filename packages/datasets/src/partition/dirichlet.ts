/**
 * Seeded Gamma and Dirichlet draws for the Dirichlet partitioners (Marsaglia & Tsang, 2000).
 */
import type { Random } from '../random';

function normal(random: Random): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** One draw of Gamma(shape, 1). */
export function gamma(shape: number, random: Random): number {
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One draw of a symmetric Dirichlet(alpha) over `k` parts. */
export function dirichlet(alpha: number, k: number, random: Random): number[] {
  const draws = Array.from({ length: k }, () => gamma(alpha, random));
  const total = draws.reduce((a, b) => a + b, 0);
  return total > 0 ? draws.map((g) => g / total) : draws.map(() => 1 / k);
}

/** Cuts `items` into consecutive parts of the given proportions (largest remainders keep the total). */
export function cutByProportions<T>(items: readonly T[], proportions: readonly number[]): T[][] {
  const exact = proportions.map((p) => p * items.length);
  const counts = exact.map(Math.floor);
  let left = items.length - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const parts: T[][] = [];
  let start = 0;
  for (const count of counts) {
    parts.push(items.slice(start, start + count));
    start += count;
  }
  return parts;
}
