import { parseNodeConfig } from './config';
import { checkPolicy, type PolicyQuestion } from './policy';
import type { DatasetRecord, PlanRecord } from './repository';

const dataset: DatasetRecord = {
  id: 'd1',
  name: 'wdbc',
  dataType: 'csv',
  path: '/data/wdbc.csv',
  tags: ['wdbc'],
  description: '',
  options: {},
  featureShape: [30],
  featureDtypes: ['float32'],
  sampleCount: 100,
  numClasses: 2,
  createdAt: '',
};
const plan = (status: 'pending' | 'approved' | 'rejected'): PlanRecord => ({
  sha256: 'ab'.repeat(32),
  name: 'lr',
  kind: 'tfjs-layers',
  canonicalJson: '{}',
  approval: status === 'pending' ? { status, notes: '' } : { status, by: 'alice', at: 'now', notes: 'why' },
  registeredAt: '',
  registeredBy: 'r',
});
const question = (overrides: Partial<PolicyQuestion> = {}): PolicyQuestion => ({
  planSha256: 'ab'.repeat(32),
  planKind: 'tfjs-layers',
  plan: plan('approved'),
  datasetId: 'd1',
  dataset,
  protection: 'plain',
  ...overrides,
});
const policy = (overrides: Record<string, unknown> = {}) => parseNodeConfig({ nodeId: 'n', nodeName: 'n', policy: overrides }).policy;

describe('checkPolicy', () => {
  it('forbids compression codecs the operator did not allow, and may require compressed updates', () => {
    const allowOnlyQsgd = policy({ allowedCompressionCodecs: ['qsgd'] });
    expect(checkPolicy(allowOnlyQsgd, question({ compression: { up: 'qsgd', down: 'qsgd' } }))).toBeUndefined();
    expect(checkPolicy(allowOnlyQsgd, question({ compression: { up: 'top_k' } }))?.message).toBe(
      'compression codec "top_k" (compression.up) is not allowed on this node (allowed: qsgd)',
    );
    expect(checkPolicy(allowOnlyQsgd, question({ compression: { up: 'qsgd', down: 'float16' } }))?.code).toBe('ERROR_CODE_POLICY_VIOLATION');
    const requireCompression = policy({ requireUpdateCompression: true });
    expect(checkPolicy(requireCompression, question({ compression: { down: 'float16' } }))?.message).toMatch(/requires compressed updates/);
    expect(checkPolicy(requireCompression, question({ compression: { up: 'random_k' } }))).toBeUndefined();
    // Evaluate requests carry no compression question: the policy does not apply to them.
    expect(checkPolicy(requireCompression, question())).toBeUndefined();
  });

  it('allows an approved plan on an existing dataset', () => {
    expect(checkPolicy(policy(), question())).toBeUndefined();
  });

  it('refuses unknown, pending and rejected plans with their own codes', () => {
    expect(checkPolicy(policy(), question({ plan: undefined }))?.code).toBe('ERROR_CODE_PLAN_NOT_APPROVED');
    expect(checkPolicy(policy(), question({ plan: plan('pending') }))?.message).toMatch(/pending approval/);
    const rejected = checkPolicy(policy(), question({ plan: plan('rejected') }));
    expect(rejected?.code).toBe('ERROR_CODE_PLAN_REJECTED');
    expect(rejected?.message).toContain('alice');
  });

  it('runs unapproved plans only when approval is switched off', () => {
    expect(checkPolicy(policy({ requirePlanApproval: false }), question({ plan: undefined }))).toBeUndefined();
  });

  it('refuses a missing dataset', () => {
    expect(checkPolicy(policy(), question({ dataset: undefined }))?.code).toBe('ERROR_CODE_DATASET_NOT_FOUND');
  });

  it('applies each policy knob', () => {
    expect(checkPolicy(policy({ minSamplesPerDataset: 101 }), question())?.message).toMatch(/100 samples, fewer than the 101/);
    expect(checkPolicy(policy({ allowedDatasetTypes: ['images'] }), question())?.message).toMatch(/type "csv"/);
    expect(checkPolicy(policy({ requireSecureAggregation: true }), question())?.message).toMatch(/requires secure aggregation/);
    for (const protection of ['secagg', 'metrics-only', 'statistics-only'] as const) {
      expect(checkPolicy(policy({ requireSecureAggregation: true }), question({ protection }))).toBeUndefined();
    }
    expect(checkPolicy(policy({ allowedPlanKinds: ['other'] }), question())?.code).toBe('ERROR_CODE_POLICY_VIOLATION');
  });
});
