import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@fedbiomed/test-utils';
import { readExperimentFile } from './researcher-config';

describe('readExperimentFile', () => {
  it('fills defaults and resolves the model folder against the file', () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, 'experiment.json');
      writeFileSync(file, JSON.stringify({ tags: ['heart'], rounds: 2, model: 'm', plan: { name: 'p', loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.1 } } }));
      expect(readExperimentFile(file)).toEqual(
        expect.objectContaining({ model: join(dir.path, 'm'), strategy: { name: 'fedavg', config: {} }, waitForNodes: 1, minNodes: 1, trainingArgs: {} }),
      );
    } finally {
      dir.dispose();
    }
  });

  it('names the file and every field at fault', () => {
    const dir = makeTempDir();
    try {
      const file = join(dir.path, 'bad.json');
      writeFileSync(file, JSON.stringify({ tags: [], rounds: 0, model: 'm', plan: { name: 'p', loss: 'hinge', optimizer: { name: 'sgd', learningRate: 0.1 } } }));
      const message = (() => {
        try {
          readExperimentFile(file);
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).toContain(`experiment file ${file}: `);
      expect(message).toMatch(/tags: .*rounds: .*plan\.loss: /);
      expect(() => readExperimentFile(join(dir.path, 'missing.json'))).toThrow(`cannot read experiment file ${join(dir.path, 'missing.json')}`);
    } finally {
      dir.dispose();
    }
  });
});
