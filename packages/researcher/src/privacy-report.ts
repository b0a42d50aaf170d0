import type { PrivacySpent__Output } from '@fedbiomed/proto';
import {
  computeRdp,
  DEFAULT_RDP_ORDERS,
  DifferentialPrivacyServerSideAdaptiveClipping,
  DifferentialPrivacyServerSideFixedClipping,
  rdpToEpsilon,
  type Strategy,
} from '@fedbiomed/strategy';

/** δ at which server-side DP's ε is reported when `trainingArgs.dp.delta` names none. */
export const DEFAULT_PRIVACY_DELTA = 1e-5;

/**
 * What one node's train task spent, as the node's accountant counted it (record-level DP on its
 * dataset): the mechanism and its inputs, ε of this round, of the experiment so far on that
 * dataset, and of every experiment on it, at δ (the node's budget δ, or the one asked for).
 */
export interface NodePrivacy {
  /** `sample` (DP-SGD) or `update` (whole update clipped and noised). */
  readonly mechanism: string;
  readonly samplingRate: number;
  readonly noiseMultiplier: number;
  readonly steps: number;
  readonly delta: number;
  readonly epsilonRound: number;
  readonly epsilonCumulative: number;
  readonly epsilonDataset: number;
  /** The dataset's budget ε under the node's policy; absent when it has none. */
  readonly budgetEpsilon?: number;
}

/**
 * Server-side DP (the DP-FedAvg wrappers of `@fedbiomed/strategy`): node-level DP of the
 * aggregate, with q = sampled nodes / candidate nodes per round and σ = the noise multiplier z.
 */
export interface ServerPrivacy {
  readonly samplingRate: number;
  readonly noiseMultiplier: number;
  readonly delta: number;
  readonly epsilonRound: number;
  /** ε over every round so far (RDP composed over the rounds' q). */
  readonly epsilonCumulative: number;
}

/** A node's reply's `privacy` in the SDK's terms. */
export function nodePrivacy(spent: PrivacySpent__Output): NodePrivacy {
  return {
    mechanism: spent.mechanism,
    samplingRate: spent.samplingRate,
    noiseMultiplier: spent.noiseMultiplier,
    steps: spent.steps,
    delta: spent.delta,
    epsilonRound: spent.epsilonRound,
    epsilonCumulative: spent.epsilonExperiment,
    epsilonDataset: spent.epsilonDataset,
    ...(spent.budgetEpsilon > 0 && { budgetEpsilon: spent.budgetEpsilon }),
  };
}

/**
 * ε of server-side DP after this round, when `strategy` is a server-side DP wrapper (`undefined`
 * otherwise): each round is one sampled Gaussian mechanism with q = m / candidates (m sampled nodes,
 * capped at the candidates) and σ = z; `earlier` holds the sampling rates of the rounds before.
 */
export function serverPrivacy(strategy: Strategy, candidates: number, earlier: readonly number[], delta: number): ServerPrivacy | undefined {
  if (!(strategy instanceof DifferentialPrivacyServerSideFixedClipping || strategy instanceof DifferentialPrivacyServerSideAdaptiveClipping)) return undefined;
  const { noiseMultiplier, numSampledNodes } = strategy.config;
  const samplingRate = Math.min(1, numSampledNodes / Math.max(1, candidates));
  const round = computeRdp(samplingRate, noiseMultiplier, 1);
  const total = earlier.reduce((sum, q) => {
    const rdp = computeRdp(q, noiseMultiplier, 1);
    return sum.map((value, i) => value + rdp[i]!);
  }, round);
  return {
    samplingRate,
    noiseMultiplier,
    delta,
    epsilonRound: rdpToEpsilon(DEFAULT_RDP_ORDERS, round, delta).epsilon,
    epsilonCumulative: rdpToEpsilon(DEFAULT_RDP_ORDERS, total, delta).epsilon,
  };
}

/** What {@link describeRoundPrivacy} reads: the experiment's `privacy` event. */
export interface RoundPrivacyReport {
  readonly round: number;
  readonly server?: ServerPrivacy;
  readonly nodes: readonly { readonly nodeName: string; readonly privacy: NodePrivacy }[];
}

/** One line per DP mechanism that ran in a round, as the CLI prints it. */
export function describeRoundPrivacy(result: RoundPrivacyReport): string[] {
  const eps = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : '∞');
  const lines: string[] = [];
  for (const node of result.nodes) {
    const p = node.privacy;
    const budget = p.budgetEpsilon !== undefined ? `, dataset ${eps(p.epsilonDataset)} of budget ${p.budgetEpsilon}` : '';
    const mechanism = p.mechanism === 'sample' ? 'DP-SGD' : 'DP on the update';
    lines.push(`round ${result.round} privacy ${node.nodeName} (${mechanism}): ε = ${eps(p.epsilonRound)} this round, ${eps(p.epsilonCumulative)} so far at δ = ${p.delta}${budget}`);
  }
  const s = result.server;
  if (s !== undefined) {
    lines.push(`round ${result.round} privacy server-side DP: ε = ${eps(s.epsilonRound)} this round, ${eps(s.epsilonCumulative)} so far at δ = ${s.delta} (node-level, q = ${s.samplingRate.toFixed(3)}, z = ${s.noiseMultiplier})`);
  }
  return lines;
}
