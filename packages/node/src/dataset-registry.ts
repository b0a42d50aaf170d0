import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { targetOf, type DatasetMetadata, type MissingValueReport } from '@fedbiomed/datasets';
import { NodeError } from './errors';
import type { DatasetRecord, NodeRepository } from './repository';
import { normaliseTags, tagsConflict, tagsMatch } from './tags';

/** Where a dataset's samples come from: enough to open it again at training time. */
export interface DatasetSource {
  /** "csv", "images", "mnist", "medical-folder" or a recipe name such as "heart-disease". */
  readonly dataType: string;
  readonly path: string;
  /** Adapter options (columns, image size, center, ...). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** What validating a dataset found: its metadata and, for tabular data, the missing values handled. */
export interface InspectedDataset {
  readonly metadata: DatasetMetadata;
  readonly missingValues?: MissingValueReport;
}

/** Reads a dataset through its adapter or recipe, validating every sample; throws on bad data. */
export type DatasetInspector = (source: DatasetSource) => Promise<InspectedDataset>;

/** What `dataset add` takes. */
export interface AddDatasetInput extends DatasetSource {
  readonly tags: readonly string[];
  readonly name?: string;
  readonly description?: string;
}

/** The datasets a node offers. */
export interface DatasetRegistry {
  /**
   * Validates the data through its adapter, then registers it; nothing is stored when any check fails.
   *
   * @throws NodeError INVALID_ARGUMENT (an unknown type among them), TAG_CONFLICT or INVALID_DATASET
   * (whose cause names file, row or column)
   */
  add(input: AddDatasetInput, actor: string): Promise<DatasetRecord>;
  list(): DatasetRecord[];
  /** @throws NodeError DATASET_NOT_FOUND */
  get(id: string): DatasetRecord;
  /** @throws NodeError DATASET_NOT_FOUND */
  remove(id: string, actor: string): void;
  /** Datasets whose tags include every one of `tags`. */
  search(tags: readonly string[]): DatasetRecord[];
}

/** Builds the dataset registry over the repository. */
export function createDatasetRegistry(repository: NodeRepository, inspect: DatasetInspector): DatasetRegistry {
  const assertNoConflict = (tags: readonly string[]): void => {
    const clash = repository.listDatasets().find((other) => tagsConflict(tags, other.tags));
    if (clash) {
      throw new NodeError(
        'TAG_CONFLICT',
        `tags [${tags.join(', ')}] conflict with dataset ${clash.id} (${clash.name}) tagged [${clash.tags.join(', ')}]: ` +
          'one dataset\'s tags may not equal or contain another\'s',
      );
    }
  };

  return {
    async add(input, actor) {
      const tags = normaliseTags(input.tags);
      if (tags.length === 0) throw new NodeError('INVALID_ARGUMENT', 'a dataset needs at least one tag (--tags)');
      if (input.dataType.trim() === '') throw new NodeError('INVALID_ARGUMENT', 'a dataset needs a type (--type)');
      const path = resolve(input.path);
      if (!existsSync(path)) throw new NodeError('INVALID_ARGUMENT', `--path ${path} does not exist`);
      assertNoConflict(tags);
      let inspected: InspectedDataset;
      try {
        inspected = await inspect({ dataType: input.dataType, path, options: input.options });
      } catch (error) {
        if (error instanceof NodeError) throw error;
        throw new NodeError('INVALID_DATASET', `${input.dataType} dataset at ${path} is invalid: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const { metadata, missingValues } = inspected;
      const record: DatasetRecord = {
        id: `dataset-${randomUUID()}`,
        name: input.name ?? tags.join('-'),
        dataType: input.dataType,
        path,
        tags,
        description: input.description ?? '',
        options: input.options,
        featureShape: [...metadata.featureShape],
        featureDtypes: [metadata.dtypes.features],
        sampleCount: metadata.sampleCount,
        numClasses: metadata.numClasses,
        ...(missingValues !== undefined && { missingValues }),
        target: targetOf(metadata),
        ...(metadata.fixedSplit !== undefined && { fixedSplit: metadata.fixedSplit }),
        createdAt: new Date().toISOString(),
      };
      repository.transaction(() => {
        assertNoConflict(tags);
        repository.insertDataset(record);
        repository.appendAudit({ actor, action: 'dataset.add', outcome: 'done', datasetId: record.id, detail: `${record.dataType} ${path}` });
      });
      return record;
    },
    list() {
      return repository.listDatasets();
    },
    get(id) {
      const record = repository.getDataset(id);
      if (!record) throw new NodeError('DATASET_NOT_FOUND', `no dataset with id ${id}; see \`fedbiomed node dataset list\``);
      return record;
    },
    remove(id, actor) {
      repository.transaction(() => {
        if (!repository.deleteDataset(id)) {
          throw new NodeError('DATASET_NOT_FOUND', `no dataset with id ${id}; see \`fedbiomed node dataset list\``);
        }
        repository.appendAudit({ actor, action: 'dataset.remove', outcome: 'done', datasetId: id, detail: '' });
      });
    },
    search(tags) {
      return repository.listDatasets().filter((record) => tagsMatch(record.tags, tags));
    },
  };
}
