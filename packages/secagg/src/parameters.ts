import { SecAggError } from './errors';
import { degreeBounds } from './graph';

/**
 * What every participant of one secure-aggregation round agrees on before any key leaves it. The
 * researcher proposes them; each node checks them ({@link checkParameters}) before taking part.
 */
export interface SecAggParameters {
  /** Unique per round: binds every derived key, so no mask is ever reused. */
  readonly sessionId: string;
  /** Node ids of the round, sorted, without duplicates. */
  readonly participants: readonly string[];
  /**
   * Shares needed to rebuild a node's secrets. More than half of each node's share holders, so a
   * researcher cannot collect both kinds of share of one node from honest nodes.
   */
  readonly threshold: number;
  /**
   * Neighbours each node masks with and shares its secrets with (SecAgg+, Bell et al. 2020): the
   * degree k of the Harary graph H(k, n) that every party lays over a permutation drawn from the
   * round's public transcript (`NeighbourGraph`). `participants.length − 1` or more is the
   * complete graph of SecAgg (Bonawitz et al. 2017).
   */
  readonly neighbours: number;
  /** Each coordinate of an update is clipped to [−clipRange, clipRange] before quantisation. */
  readonly clipRange: number;
  /** Largest weight each participant may apply (its registered sample count, or 1 for uniform weights). */
  readonly weightBounds: Readonly<Record<string, number>>;
}

/** Half the modulus 2^32: a decoded sum must stay in (−2^31, 2^31). */
const HALF_MODULUS = 2 ** 31;

/**
 * Refuses parameters that would not protect an update, naming the one at fault: fewer than two
 * participants, unsorted or duplicate ids, a threshold not above half of a node's share holders,
 * or a clip range or weight bound that is not a positive finite number.
 */
export function checkParameters(parameters: SecAggParameters): void {
  const { participants, threshold, clipRange, weightBounds, sessionId } = parameters;
  const fail = (message: string): never => {
    throw new SecAggError('INVALID_PARAMETERS', message);
  };
  if (typeof sessionId !== 'string' || sessionId.length < 8) fail('sessionId must be a string of at least 8 characters, unique per round');
  if (participants.length < 2) fail(`secure aggregation needs at least 2 participants, got ${participants.length}`);
  for (let i = 1; i < participants.length; i++) {
    if ((participants[i - 1] as string) >= (participants[i] as string)) fail('participants must be sorted and distinct');
  }
  if (!Number.isInteger(parameters.neighbours) || parameters.neighbours < 1) fail(`neighbours must be a positive integer, got ${parameters.neighbours}`);
  // Share holders are a node and its neighbours; the graph's degrees are known before its permutation.
  const degrees = degreeBounds(participants.length, parameters.neighbours);
  const minimum = Math.max(2, Math.floor((degrees.max + 1) / 2) + 1);
  const maximum = degrees.min + 1;
  if (!Number.isInteger(threshold) || threshold < minimum || threshold > maximum) {
    fail(`threshold ${threshold} must lie in [${minimum}, ${maximum}]: more than half of each node's ${degrees.min === degrees.max ? maximum : `${maximum} to ${degrees.max + 1}`} share holders`);
  }
  if (!(clipRange > 0) || !Number.isFinite(clipRange)) fail(`clipRange must be a positive finite number, got ${clipRange}`);
  for (const id of participants) {
    const bound = weightBounds[id];
    if (bound === undefined || !(bound > 0) || !Number.isFinite(bound)) fail(`weightBounds["${id}"] must be a positive finite number, got ${bound}`);
  }
  if (!(fixedPointScale(parameters) >= 1)) fail(`clipRange ${clipRange} times the total weight ${totalWeightBound(parameters)} leaves no precision under the 2^32 modulus`);
}

/** Shamir x coordinate of a holder: 1 + its index among the participants. */
export function shareIndex(parameters: SecAggParameters, nodeId: string): number {
  return parameters.participants.indexOf(nodeId) + 1;
}

/** Sum of every participant's weight bound. */
export function totalWeightBound(parameters: SecAggParameters): number {
  return parameters.participants.reduce((sum, id) => sum + (parameters.weightBounds[id] ?? 0), 0);
}

/**
 * Fixed-point scale s: a node sends round(s · w · clip(x)). The sum over n nodes is at most
 * s · clipRange · Σ bounds + n/2 in magnitude, kept below 2^31 so the modular sum decodes exactly.
 */
export function fixedPointScale(parameters: SecAggParameters): number {
  return (HALF_MODULUS - 1 - parameters.participants.length) / (parameters.clipRange * totalWeightBound(parameters));
}

/**
 * Largest difference, per coordinate, between the secure weighted mean and the plain weighted
 * mean of the clipped updates: each of the `survivors` rounds once by at most 1/2 a unit, and the
 * mean divides by s · Σ w.
 */
export function quantizationErrorBound(parameters: SecAggParameters, survivors: number, weightSum: number): number {
  return survivors / (2 * fixedPointScale(parameters) * weightSum);
}
