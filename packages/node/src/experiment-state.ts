import { checkSplit, splitTrainTest, type Dataset, type TrainTestSplit } from '@fedbiomed/datasets';
import type { NodeRepository } from './repository';

/** What a node keeps between rounds of one experiment on one dataset. */
export interface ExperimentState {
  /**
   * The dataset's train/test split for this experiment, ratio and seed: cut once, then read back so
   * the test set never changes across rounds or restarts.
   */
  split(dataset: Dataset, testRatio: number, seed: number): TrainTestSplit;
  /** A named flat tensor kept from the last round (e.g. the node's SCAFFOLD control), if any. */
  getTensor(name: string): Float32Array | undefined;
  putTensor(name: string, values: Float32Array): void;
  /** Records the last round trained, for operators. */
  recordRound(round: number, detail: Readonly<Record<string, unknown>>): void;
}

/** State of `experimentId` on `datasetId`, stored through the repository. */
export function experimentState(repository: NodeRepository, experimentId: string, datasetId: string): ExperimentState {
  const key = (name: string) => ({ experimentId, datasetId, key: name });
  return {
    split(dataset, testRatio, seed) {
      const splitKey = key(`split:${testRatio}:${seed}`);
      const stored = repository.getState(splitKey);
      if (stored !== undefined) {
        const split = JSON.parse(stored.toString('utf8')) as TrainTestSplit;
        checkSplit(split, dataset);
        return split;
      }
      const split = splitTrainTest(dataset, testRatio, seed, { stratify: dataset.metadata.numClasses > 0 });
      repository.putState(splitKey, Buffer.from(JSON.stringify(split), 'utf8'));
      return split;
    },
    getTensor(name) {
      const stored = repository.getState(key(`tensor:${name}`));
      if (stored === undefined) return undefined;
      const copy = new Uint8Array(stored.byteLength);
      copy.set(stored);
      return new Float32Array(copy.buffer);
    },
    putTensor(name, values) {
      repository.putState(key(`tensor:${name}`), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    },
    recordRound(round, detail) {
      repository.putState(key('last-round'), Buffer.from(JSON.stringify({ round, ...detail }), 'utf8'));
    },
  };
}
