/**
 * Rényi-DP accountant for the sampled Gaussian mechanism (Mironov, Talwar, Zhang 2019, "Rényi
 * Differential Privacy of the Sampled Gaussian Mechanism", arXiv 1908.10530), following the
 * computation of TensorFlow Privacy's `rdp_accountant.py`: log A_α by the binomial expansion for
 * integer α and by the two-sided series with erfc for fractional α.
 */

/** TensorFlow Privacy's default orders: 1.1, 1.2, …, 10.9, then 12, 13, …, 63. */
export const DEFAULT_RDP_ORDERS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10),
  ...Array.from({ length: 52 }, (_, x) => 12 + x),
];

/** log(e^x + e^y) without overflow. */
function logAdd(x: number, y: number): number {
  const [a, b] = x < y ? [x, y] : [y, x];
  return a === -Infinity ? b : Math.log1p(Math.exp(a - b)) + b;
}

/** log(e^x − e^y) for x ≥ y. */
function logSub(x: number, y: number): number {
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  if (x < y) throw new RangeError('logSub: the result would be negative');
  return Math.log(Math.expm1(x - y)) + y;
}

/**
 * log(erfc(x)), accurate in the far tail: the power series of erf for |x| < 2, the continued
 * fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))) above, kept in log space.
 */
export function logErfc(x: number): number {
  if (x < 0) return Math.log(2 - Math.exp(logErfc(-x)));
  if (x < 2) {
    // erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)); terms fall below 1e-17 well before n = 60.
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.log(1 - (2 / Math.sqrt(Math.PI)) * sum);
  }
  // Modified Lentz evaluation of the continued fraction K = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -x * x - 0.5 * Math.log(Math.PI) - Math.log(f);
}

/** log A_α for integer α (TF Privacy `_compute_log_a_int`). */
function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  let logBinom = 0;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log((alpha - i + 1) / i);
    const logCoef = logBinom + i * Math.log(q) + (alpha - i) * Math.log1p(-q);
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma * sigma));
  }
  return logA;
}

/** log A_α for fractional α (TF Privacy `_compute_log_a_frac`). */
function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  let coef = 1;
  for (let i = 0; ; i++) {
    if (i > 0) coef *= (alpha - i + 1) / i;
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const logT0 = logCoef + i * Math.log(q) + j * Math.log1p(-q);
    const logT1 = logCoef + j * Math.log(q) + i * Math.log1p(-q);
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (coef > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) break;
  }
  return logAdd(logA0, logA1);
}

/**
 * RDP ε(α) of the sampled Gaussian mechanism with sampling rate q and noise multiplier σ,
 * composed over `steps` steps, for each order α.
 */
export function computeRdp(q: number, noiseMultiplier: number, steps: number, orders: readonly number[] = DEFAULT_RDP_ORDERS): number[] {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sampling rate q must be in [0, 1], got ${q}`);
  if (!(noiseMultiplier >= 0)) throw new RangeError(`noise multiplier must be ≥ 0, got ${noiseMultiplier}`);
  if (!(steps >= 0)) throw new RangeError(`steps must be ≥ 0, got ${steps}`);
  return orders.map((alpha) => {
    if (!(alpha > 1)) throw new RangeError(`RDP orders must be > 1, got ${alpha}`);
    if (q === 0) return 0;
    if (noiseMultiplier === 0) return Infinity;
    if (q === 1) return (steps * alpha) / (2 * noiseMultiplier * noiseMultiplier);
    const logA = Number.isInteger(alpha) ? logAInt(q, noiseMultiplier, alpha) : logAFrac(q, noiseMultiplier, alpha);
    return (steps * logA) / (alpha - 1);
  });
}

/**
 * How RDP converts to (ε, δ): `mironov2017` is ε = RDP(α) + log(1/δ)/(α − 1) (Mironov 2017,
 * Prop. 3; TF Privacy's published figures); `balle2020` is the tighter
 * ε = RDP(α) + log((α − 1)/α) − (log δ + log α)/(α − 1) (Balle et al. 2020, Thm. 21; Opacus).
 */
export type RdpConversion = 'mironov2017' | 'balle2020';

/** The (ε, δ) guarantee and the order that achieved it. */
export interface PrivacySpent {
  readonly epsilon: number;
  readonly delta: number;
  readonly optimalOrder: number;
}

/** The smallest ε over `orders` for target δ, from RDP values at those orders. */
export function rdpToEpsilon(orders: readonly number[], rdp: readonly number[], delta: number, conversion: RdpConversion = 'mironov2017'): PrivacySpent {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  if (orders.length !== rdp.length) throw new RangeError(`${orders.length} orders but ${rdp.length} RDP values`);
  let best: PrivacySpent = { epsilon: Infinity, delta, optimalOrder: NaN };
  orders.forEach((alpha, index) => {
    const r = rdp[index]!;
    const epsilon =
      conversion === 'mironov2017'
        ? r - Math.log(delta) / (alpha - 1)
        : r + Math.log((alpha - 1) / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    if (epsilon < best.epsilon) best = { epsilon: Math.max(0, epsilon), delta, optimalOrder: alpha };
  });
  return best;
}

/** Inputs of {@link computeDpEpsilon}. */
export interface DpAccountingInput {
  /** Probability that a given record (or node, for user-level DP) is in a step's sample. */
  readonly samplingRate: number;
  readonly noiseMultiplier: number;
  /** Number of steps (rounds, for server-side DP). */
  readonly steps: number;
  readonly delta: number;
  readonly orders?: readonly number[];
  readonly conversion?: RdpConversion;
}

/**
 * ε for δ after `steps` compositions of the sampled Gaussian mechanism. For server-side DP over
 * rounds: q = m / N nodes per round, σ = z, steps = rounds. Matches TF Privacy's
 * `compute_dp_sgd_privacy` (MNIST tutorial: q = 256/60000, σ = 1.1, 60 epochs, δ = 1e-5 → ε = 3.01).
 */
export function computeDpEpsilon(input: DpAccountingInput): PrivacySpent {
  const orders = input.orders ?? DEFAULT_RDP_ORDERS;
  return rdpToEpsilon(orders, computeRdp(input.samplingRate, input.noiseMultiplier, input.steps, orders), input.delta, input.conversion);
}
