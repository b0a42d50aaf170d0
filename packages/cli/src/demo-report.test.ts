import type { EvaluationResult } from '@fedbiomed/researcher';
import { metricsTable, NO_TEST_SAMPLES } from './demo-report';

const node = (nodeId: string, rocAuc: number, sampleCount: number) => ({ nodeId, nodeName: nodeId, datasetId: `d-${nodeId}`, metrics: { values: { roc_auc: rocAuc }, sampleCount } });

describe('metricsTable', () => {
  it('prints n/a for a metric undefined on a node (ROC AUC of a one-class test split), numbers elsewhere', () => {
    const evaluation: EvaluationResult = { round: 2, nodes: [node('a', Number.NaN, 6), node('b', 0.75, 20)], failures: [], metrics: { values: { roc_auc: 0.75 }, sampleCount: 26 }, pooled: {} };
    const rows = metricsTable(evaluation, ['roc_auc']).split('\n');
    expect(rows.find((r) => r.includes('│ a '))).toMatch(/│ 6 +│ n\/a +│/);
    expect(rows.find((r) => r.includes('│ b '))).toMatch(/│ 20 +│ 0\.7500 +│/);
    expect(rows.join('\n')).not.toContain(NO_TEST_SAMPLES);
  });

  it('says how to hold out a test split when no node had one', () => {
    const evaluation: EvaluationResult = { round: 1, nodes: [], failures: [], metrics: { values: {}, sampleCount: 0 }, pooled: {} };
    expect(metricsTable(evaluation, ['accuracy']).endsWith(`\n${NO_TEST_SAMPLES}`)).toBe(true);
  });
});
