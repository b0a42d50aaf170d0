import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { requireBuiltCli, startCli } from './cli-test-support.test.helper';

// `fedbiomed researcher analytics` as a process (the built CLI): a query file it cannot use is
// refused before any server starts, with the file and the field named. The run against real node
// processes is docs/analytics.md's, in tools/guides/analytics-guide.test.ts.
describe('fedbiomed researcher analytics --query (bad query files)', () => {
  let dir: TempDir;
  beforeAll(() => {
    requireBuiltCli();
    dir = makeTempDir('fedbiomed-analytics-cli-');
  });
  afterAll(() => dir.dispose());

  async function run(file: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const cli = startCli(['researcher', 'analytics', '--query', file, '--token', 't', '--port', '0']);
    const code = await cli.exited;
    return { code, stderr: cli.stderr(), stdout: cli.stdout() };
  }

  it('names a missing file, and each faulty field of a query', async () => {
    const missing = await run(join(dir.path, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read query file ${join(dir.path, 'nope.json')}`);

    const file = join(dir.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'q', tags: ['heart'], statistics: [{ kind: 'histogram', feature: 'age', edges: [40, 30] }, { kind: 'median' }] }));
    const bad = await run(file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`query file ${file}:`);
    expect(bad.stderr).toContain('field "statistics[0].edges": bin edges must increase strictly, got [40,30]');
    expect(bad.stderr).toContain('field "statistics[1].kind" must be one of "count", "sum", "mean", "variance", "min", "max", "histogram", "quantiles", "covariance", "labelCounts", "missing", got "median"');
    expect(bad.stdout).not.toContain('researcher listening');
  });
});
