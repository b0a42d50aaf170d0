/**
 * The adapter registry: maps a dataset type to its adapter. Built explicitly (no global state), so
 * a node can add its own adapters without touching anyone else's registry.
 */
import type { DatasetAdapter, DatasetSpec, ValidationReport } from './adapter';
import { csvAdapter } from './adapters/csv-adapter';
import { imageFolderAdapter } from './adapters/image-folder-adapter';
import { medicalFolderAdapter } from './adapters/medical-folder-adapter';
import { mnistAdapter } from './adapters/mnist-adapter';
import type { Dataset } from './dataset';
import { DatasetError, DatasetErrorCode } from './errors';

/** A set of adapters by kind. */
export class AdapterRegistry {
  private readonly adapters = new Map<string, DatasetAdapter<never>>();

  /** Adds an adapter; a kind already registered is an error (unregister first to replace it). */
  register<Options>(adapter: DatasetAdapter<Options>): this {
    if (this.adapters.has(adapter.kind)) {
      throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `an adapter for ${JSON.stringify(adapter.kind)} is already registered`);
    }
    this.adapters.set(adapter.kind, adapter as unknown as DatasetAdapter<never>);
    return this;
  }

  /** Removes the adapter of a kind; returns whether there was one. */
  unregister(kind: string): boolean {
    return this.adapters.delete(kind);
  }

  /** Registered kinds, sorted. */
  kinds(): string[] {
    return [...this.adapters.keys()].sort();
  }

  /** Opens a dataset with the adapter of `spec.type`. */
  async open(spec: DatasetSpec): Promise<Dataset> {
    return this.adapterFor(spec).open(spec as DatasetSpec<never>);
  }

  /** Validates a dataset with the adapter of `spec.type` (parses it fully, returns its metadata). */
  async validate(spec: DatasetSpec): Promise<ValidationReport> {
    return this.adapterFor(spec).validate(spec as DatasetSpec<never>);
  }

  private adapterFor(spec: DatasetSpec): DatasetAdapter<never> {
    const adapter = this.adapters.get(spec.type);
    if (adapter === undefined) {
      throw new DatasetError(DatasetErrorCode.UNKNOWN_ADAPTER, `no adapter for dataset type ${JSON.stringify(spec.type)}; registered: ${this.kinds().join(', ')}`, { file: spec.path });
    }
    return adapter;
  }
}

/** A registry holding the built-in adapters: `csv`, `images`, `mnist`, `medical-folder`. */
export function createAdapterRegistry(): AdapterRegistry {
  return new AdapterRegistry().register(csvAdapter).register(imageFolderAdapter).register(mnistAdapter).register(medicalFolderAdapter);
}

/** Opens a dataset with the built-in adapters, or with `registry` when given. */
export function openDataset(spec: DatasetSpec, registry: AdapterRegistry = createAdapterRegistry()): Promise<Dataset> {
  return registry.open(spec);
}
