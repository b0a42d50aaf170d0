import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docBlock, makeTempDir } from '@fedbiomed/test-utils';
import { readExperimentFile } from './researcher-config';

describe('readExperimentFile', () => {
  it('fills defaults and resolves the model folder against the file', () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, 'experiment.json');
      writeFileSync(file, JSON.stringify({ tags: ['heart'], rounds: 2, model: 'm', plan: { name: 'p', loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.1 } } }));
      expect(readExperimentFile(file)).toEqual(
        expect.objectContaining({
          model: join(dir.path, 'm'),
          strategy: { name: 'fedavg', config: {} },
          waitForNodes: 1,
          minNodes: 1,
          trainingArgs: {},
          approvalTimeoutMs: 600_000,
          plan: expect.objectContaining({ metrics: ['loss'], preprocessing: [] }),
        }),
      );
    } finally {
      dir.dispose();
    }
  });

  it('names the file and every field at fault', () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, 'bad.json');
      writeFileSync(
        file,
        JSON.stringify({
          tags: [],
          rounds: 0,
          model: 'm',
          plan: { name: 'p', loss: 'hinge', optimizer: { name: 'sgd' }, limits: { minBatchSize: 0 } },
          trainingArgs: { epoch: 2 },
          learningRateSchedule: { kind: 'step', every: 2 },
        }),
      );
      const message = (() => {
        try {
          readExperimentFile(file);
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).toContain(`experiment file ${file}: `);
      expect(message).toMatch(/option `tags`: .*option `rounds`: .*option `plan\.loss`: /);
      expect(message).toContain('option `plan.optimizer.learningRate` is missing');
      expect(message).toContain('unknown option `trainingArgs.epoch`');
      expect(message).toMatch(/option `plan\.limits\.minBatchSize`: /);
      expect(message).toMatch(/option `learningRateSchedule`: .*factor must be a positive number, got undefined/);
      expect(() => readExperimentFile(join(dir.path, 'missing.json'))).toThrow(`cannot read experiment file ${join(dir.path, 'missing.json')}`);
    } finally {
      dir.dispose();
    }
  });

  it("parses the CLI README's full example, every option taken as written", () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, 'experiment.json');
      writeFileSync(file, docBlock('packages/cli/README.md', 'cli-experiment-file'));
      const parsed = readExperimentFile(file);
      const written = JSON.parse(docBlock('packages/cli/README.md', 'cli-experiment-file')) as Record<string, unknown>;
      for (const key of Object.keys(written).filter((k) => k !== 'model' && k !== 'plan')) expect(parsed[key as keyof typeof parsed]).toEqual(written[key]);
      expect(parsed.plan.preprocessing).toEqual([{ name: 'standardize', params: {} }]);
      expect(parsed.plan.limits).toEqual((written['plan'] as Record<string, unknown>)['limits']);
    } finally {
      dir.dispose();
    }
  });
});
