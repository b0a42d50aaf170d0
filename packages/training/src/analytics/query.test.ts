import { canonicalJson, sha256Hex } from '../plan/canonical-json';
import { ANALYTICS_QUERY_KIND, buildAnalyticsQuery, describeAnalyticsQuery, readAnalyticsQuery } from './query';

describe('analytics queries', () => {
  const built = buildAnalyticsQuery({ name: 'ages', statistics: [{ kind: 'variance', features: ['age'] }, { kind: 'histogram', feature: 'age', edges: [20, 40, 60] }] });

  it('encode canonically with their defaults, hashed like a plan, and read back', () => {
    expect(built.plan.kind).toBe(ANALYTICS_QUERY_KIND);
    expect(built.plan.sha256).toBe(sha256Hex(built.plan.canonicalJson));
    expect(built.query).toMatchObject({ rows: 'all', description: '', statistics: [{ kind: 'variance', ddof: 1 }, { kind: 'histogram' }] });
    expect(readAnalyticsQuery(built.plan)).toEqual(built.query);
    // The key order of the input does not change the hash.
    expect(buildAnalyticsQuery({ statistics: [{ features: ['age'], kind: 'variance' }, { edges: [20, 40, 60], feature: 'age', kind: 'histogram' }], name: 'ages' }).plan.sha256).toBe(built.plan.sha256);
    expect(describeAnalyticsQuery(built.query)).toBe('analytics query "ages" over all rows\n  1. variance of age\n  2. histogram of age over 2 bins [20, 60]');
  });

  it('name what is wrong with a query', () => {
    expect(() => buildAnalyticsQuery({ name: 'q', statistics: [{ kind: 'histogram', feature: 'age', edges: [3, 2] }] })).toThrow(/bin edges must increase strictly/);
    expect(() => buildAnalyticsQuery({ name: 'q', statistics: [] })).toThrow(/statistics/);
    expect(() => buildAnalyticsQuery({ name: 'q', statistics: [{ kind: 'median' } as never] })).toThrow(/kind/);
  });

  it('refuse a query whose JSON does not match its hash, is not canonical, or is of another kind', () => {
    expect(() => readAnalyticsQuery({ ...built.plan, sha256: '0'.repeat(64) })).toThrow(/does not match its JSON/);
    const loose = JSON.stringify(JSON.parse(built.plan.canonicalJson), null, 1);
    expect(() => readAnalyticsQuery({ ...built.plan, canonicalJson: loose, sha256: sha256Hex(loose) })).toThrow(/not in canonical form/);
    const withoutDefaults = canonicalJson({ ...built.query, rows: undefined });
    expect(() => readAnalyticsQuery({ ...built.plan, canonicalJson: withoutDefaults, sha256: sha256Hex(withoutDefaults) })).toThrow(/canonical form or leaves out defaults/);
    expect(() => readAnalyticsQuery({ ...built.plan, kind: 'tfjs-layers' })).toThrow(/not an analytics query/);
  });
});
