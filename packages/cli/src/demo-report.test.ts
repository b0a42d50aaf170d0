import type { EvaluationResult } from '@fedbiomed/researcher';
import { metricsTable } from './demo-report';

const node = (nodeId: string, rocAuc: number, sampleCount: number) => ({ nodeId, nodeName: nodeId, datasetId: `d-${nodeId}`, metrics: { values: { roc_auc: rocAuc }, sampleCount } });

describe('metricsTable', () => {
  it('prints n/a for a metric undefined on a node (ROC AUC of a one-class test split), numbers elsewhere', () => {
    const evaluation: EvaluationResult = { round: 2, nodes: [node('a', Number.NaN, 6), node('b', 0.75, 20)], failures: [], metrics: { values: { roc_auc: 0.75 }, sampleCount: 26 }, pooled: {} };
    const rows = metricsTable(evaluation, ['roc_auc']).split('\n');
    expect(rows.find((r) => r.includes('│ a '))).toMatch(/│ 6 +│ n\/a +│/);
    expect(rows.find((r) => r.includes('│ b '))).toMatch(/│ 20 +│ 0\.7500 +│/);
    expect(rows.join('\n')).not.toContain('did not evaluate');
  });

  it('counts the nodes that did not evaluate under the table, with the first one\'s reason', () => {
    const failures = ['a', 'b'].map((id) => ({ nodeId: id, nodeName: `Hospital ${id}`, code: 'MALFORMED', reason: `dataset ${id} has no test split` }));
    const evaluation: EvaluationResult = { round: 1, nodes: [], failures, metrics: { values: {}, sampleCount: 0 }, pooled: {} };
    expect(metricsTable(evaluation, ['accuracy']).split('\n').at(-1)).toBe('2 node(s) did not evaluate (each one\'s reason is in evaluation.json); Hospital a: dataset a has no test split');
  });
});
