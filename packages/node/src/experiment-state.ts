import { checkSplit, splitTrainTest, type Dataset, type Standardization, type TrainTestSplit } from '@fedbiomed/datasets';
import type { OptimizerState } from '@fedbiomed/training';
import { blobToFloat32, float32ToBlob } from './float32-blob';
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
  /**
   * The optimiser state the last round left, when that round ran the same plan and optimiser
   * (`fingerprint`); a state of another fingerprint is deleted and none returned, so a change of
   * plan or optimiser starts a fresh optimiser.
   */
  optimizerState(fingerprint: string): OptimizerState | undefined;
  putOptimizerState(fingerprint: string, state: OptimizerState): void;
  /** Records the last round trained, for operators. */
  recordRound(round: number, detail: Readonly<Record<string, unknown>>): void;
  /** Records the standardisation the last task applied to the features (state key `standardization`). */
  recordStandardization(stats: Standardization): void;
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
      return stored === undefined ? undefined : blobToFloat32(stored);
    },
    putTensor(name, values) {
      repository.putState(key(`tensor:${name}`), float32ToBlob(values));
    },
    optimizerState(fingerprint) {
      const stored = repository.getOptimizerState(experimentId, datasetId);
      if (stored === undefined) return undefined;
      if (stored.fingerprint === fingerprint) return stored.state;
      repository.deleteOptimizerState(experimentId, datasetId);
      return undefined;
    },
    putOptimizerState(fingerprint, state) {
      repository.putOptimizerState(experimentId, datasetId, { fingerprint, state });
    },
    recordRound(round, detail) {
      repository.putState(key('last-round'), Buffer.from(JSON.stringify({ round, ...detail }), 'utf8'));
    },
    recordStandardization(stats) {
      repository.putState(key('standardization'), Buffer.from(JSON.stringify({ mean: stats.mean, scale: stats.scale }), 'utf8'));
    },
  };
}
