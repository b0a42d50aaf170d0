import { computeRdp, DEFAULT_RDP_ORDERS, rdpToEpsilon } from '@fedbiomed/strategy';
import type { PrivacySpent__Output } from '@fedbiomed/proto';
import type { DpMechanism } from '@fedbiomed/training';

import type { NodePolicy, PrivacyBudget } from './config';
import type { SqliteDatabase } from './database';

/** δ at which ε is reported for a dataset without a budget, when the request names none. */
export const DEFAULT_REPORT_DELTA = 1e-5;

/** Where a dataset stands against its budget. */
export interface PrivacyStanding {
  readonly datasetId: string;
  /** The policy's budget for the dataset; absent when it has none. */
  readonly budget?: PrivacyBudget;
  /** δ the ε values are for: the budget's, else {@link DEFAULT_REPORT_DELTA}. */
  readonly delta: number;
  /** ε of every task charged to the dataset, across experiments (RDP composed, then converted). */
  readonly spentEpsilon: number;
  /** budget ε − spent ε, never below 0; absent without a budget. */
  readonly remainingEpsilon?: number;
  /** Tasks charged. */
  readonly tasks: number;
}

/** A train task the node is about to run, with the DP mechanism it runs (`undefined`: no DP). */
export interface PrivacyCharge {
  readonly datasetId: string;
  readonly experimentId: string;
  readonly requestId: string;
  readonly round: number;
  readonly mechanism: DpMechanism | undefined;
  /** δ the researcher asked ε to be reported at (0: the default); a budget's δ takes precedence. */
  readonly requestedDelta: number;
}

/** The outcome of {@link PrivacyLedger.charge}. */
export type ChargeOutcome =
  | { readonly kind: 'charged'; readonly spent: PrivacySpent__Output }
  | { readonly kind: 'no-dp' }
  | { readonly kind: 'refused'; readonly message: string };

/**
 * The node's account of differential privacy per dataset, in the `privacy_ledger` table: each
 * train task under DP is charged its Rényi DP before it runs, refused when the dataset's total would
 * pass its budget (policy `privacyBudget` / `privacyBudgets`). RDP adds up across tasks at each
 * order, which gives a tighter total than adding ε values.
 */
export interface PrivacyLedger {
  /** The dataset's budget under the node's policy. */
  budgetOf(datasetId: string): PrivacyBudget | undefined;
  standing(datasetId: string): PrivacyStanding;
  /** Checks the task against the dataset's budget and records it, in one transaction. */
  charge(task: PrivacyCharge): ChargeOutcome;
}

interface LedgerRow {
  readonly rdp: string;
}

/** Opens the ledger on the node database, with the policy's budgets. */
export function createPrivacyLedger(db: SqliteDatabase, policy: Pick<NodePolicy, 'privacyBudget' | 'privacyBudgets'>): PrivacyLedger {
  const ofDataset = db.prepare<[string], LedgerRow>('SELECT rdp FROM privacy_ledger WHERE dataset_id = ?');
  const ofExperiment = db.prepare<[string, string], LedgerRow>('SELECT rdp FROM privacy_ledger WHERE dataset_id = ? AND experiment_id = ?');
  const insert = db.prepare(
    `INSERT INTO privacy_ledger (dataset_id, experiment_id, request_id, round, mechanism, sampling_rate, noise_multiplier, steps, rdp, spent_at)
     VALUES (@datasetId, @experimentId, @requestId, @round, @mechanism, @samplingRate, @noiseMultiplier, @steps, @rdp, @spentAt)`,
  );
  const budgetOf = (datasetId: string): PrivacyBudget | undefined => policy.privacyBudgets[datasetId] ?? policy.privacyBudget;
  const epsilonOf = (rdp: readonly number[], delta: number): number => rdpToEpsilon(DEFAULT_RDP_ORDERS, rdp, delta).epsilon;

  const standing = (datasetId: string): PrivacyStanding => {
    const budget = budgetOf(datasetId);
    const delta = budget?.delta ?? DEFAULT_REPORT_DELTA;
    const rows = ofDataset.all(datasetId);
    const spentEpsilon = rows.length === 0 ? 0 : epsilonOf(sumRows(rows), delta);
    return {
      datasetId,
      ...(budget && { budget, remainingEpsilon: Math.max(0, budget.epsilon - spentEpsilon) }),
      delta,
      spentEpsilon,
      tasks: rows.length,
    };
  };

  const charge = (task: PrivacyCharge): ChargeOutcome => {
    const budget = budgetOf(task.datasetId);
    const { mechanism } = task;
    if (mechanism === undefined) {
      if (budget === undefined) return { kind: 'no-dp' };
      return {
        kind: 'refused',
        message: `dataset ${task.datasetId} has a privacy budget of ε = ${budget.epsilon} at δ = ${budget.delta} (node policy); this task runs without differential privacy (set dp in the training arguments)`,
      };
    }
    const delta = budget?.delta ?? (task.requestedDelta > 0 ? task.requestedDelta : DEFAULT_REPORT_DELTA);
    const rdp = computeRdp(mechanism.samplingRate, mechanism.noiseMultiplier, mechanism.steps);
    return db.transaction((): ChargeOutcome => {
      const before = ofDataset.all(task.datasetId);
      const datasetRdp = addRdp(sumRows(before), rdp);
      const epsilonDataset = epsilonOf(datasetRdp, delta);
      const epsilonRound = epsilonOf(rdp, delta);
      if (budget !== undefined && epsilonDataset > budget.epsilon) {
        const spentSoFar = before.length === 0 ? 0 : epsilonOf(sumRows(before), delta);
        return {
          kind: 'refused',
          message:
            `privacy budget of dataset ${task.datasetId} (ε = ${budget.epsilon} at δ = ${budget.delta}) would be exceeded: ` +
            `spent so far ε = ${fmt(spentSoFar)}, this task (${describeMechanism(mechanism)}) costs ε = ${fmt(epsilonRound)} ` +
            `and would bring the dataset to ε = ${fmt(epsilonDataset)}`,
        };
      }
      insert.run({
        datasetId: task.datasetId,
        experimentId: task.experimentId,
        requestId: task.requestId,
        round: task.round,
        mechanism: mechanism.mode,
        samplingRate: mechanism.samplingRate,
        noiseMultiplier: mechanism.noiseMultiplier,
        steps: mechanism.steps,
        rdp: JSON.stringify(rdp.map((value) => (Number.isFinite(value) ? value : null))),
        spentAt: new Date().toISOString(),
      });
      const epsilonExperiment = epsilonOf(sumRows(ofExperiment.all(task.datasetId, task.experimentId)), delta);
      return {
        kind: 'charged',
        spent: {
          mechanism: mechanism.mode,
          samplingRate: mechanism.samplingRate,
          noiseMultiplier: mechanism.noiseMultiplier,
          steps: mechanism.steps,
          delta,
          epsilonRound,
          epsilonExperiment,
          epsilonDataset,
          budgetEpsilon: budget?.epsilon ?? 0,
        },
      };
    })();
  };

  return { budgetOf, standing, charge };
}

/** The accountant's inputs in words, for refusals and the audit table. */
export function describeMechanism(mechanism: DpMechanism): string {
  const name = mechanism.mode === 'sample' ? 'DP-SGD' : 'DP on the update';
  return `${name}, q = ${fmt(mechanism.samplingRate)}, σ = ${mechanism.noiseMultiplier}, ${mechanism.steps} steps`;
}

function sumRows(rows: readonly LedgerRow[]): number[] {
  return rows.reduce<number[]>((total, row) => addRdp(total, (JSON.parse(row.rdp) as (number | null)[]).map((v) => v ?? Infinity)), DEFAULT_RDP_ORDERS.map(() => 0));
}

function addRdp(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value + b[i]!);
}

function fmt(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : '∞';
}
