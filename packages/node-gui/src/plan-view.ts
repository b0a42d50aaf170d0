/**
 * A requested plan as an operator reads it before deciding: the summary `fedbiomed node plan show`
 * prints (layers, parameter counts, loss, optimiser, metrics, preprocessing, limits), each layer's
 * output shape from the model tfjs builds out of the plan, and a line diff against every version
 * of the plan (same name) approved before.
 */
import { diffLines } from 'diff';
import { formatPlanSummary, planToModel, summarizePlan, validatePlan, type PlanSummary } from '@fedbiomed/training';
import type { PlanRecord } from '@fedbiomed/node';

/** A layer row of the plan page. */
export interface LayerView {
  readonly name: string;
  readonly className: string;
  readonly outputShape: string;
  readonly parameters: number;
}

/** One part of a diff: unchanged, added in the requested plan, or removed from the approved one. */
export interface DiffPart {
  readonly change: 'same' | 'added' | 'removed';
  readonly text: string;
}

/** The requested plan against one version approved before. */
export interface PlanDiff {
  readonly sha256: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
  readonly parts: readonly DiffPart[];
}

/** The plan page's model. */
export interface PlanView {
  readonly record: PlanRecord;
  readonly summary: PlanSummary;
  readonly layers: readonly LayerView[];
  readonly diffs: readonly PlanDiff[];
}

/**
 * Builds the plan page of `record`; `known` are the plans the node knows (for the diff).
 *
 * @throws the node's INVALID_PLAN error when the stored plan no longer validates (e.g. a plug-in was removed)
 */
export async function planView(record: PlanRecord, known: readonly PlanRecord[]): Promise<PlanView> {
  const spec = validatePlan(record).spec;
  const summary = summarizePlan(spec);
  const model = await planToModel(spec);
  const shapes = new Map(model.layers.map((layer) => [layer.name, JSON.stringify(layer.outputShape).replace(/null/g, 'batch')]));
  model.dispose();
  const layers = summary.layers.map((layer) => ({ ...layer, outputShape: shapes.get(layer.name) ?? '?' }));
  const text = formatPlanSummary(summary);
  const diffs = known
    .filter((other) => other.sha256 !== record.sha256 && other.name === record.name && other.approval.status === 'approved')
    .map((other): PlanDiff => {
      const approved = other.approval as Extract<PlanRecord['approval'], { status: 'approved' }>;
      const parts = diffLines(formatPlanSummary(summarizePlan(validatePlan(other).spec)), text).map(
        (part): DiffPart => ({ change: part.added ? 'added' : part.removed ? 'removed' : 'same', text: part.value }),
      );
      return { sha256: other.sha256, decidedBy: approved.by, decidedAt: approved.at, parts };
    });
  return { record, summary, layers, diffs };
}
