/**
 * What a dataset's labels are, so that a node can tell a researcher and refuse a plan whose loss
 * reads labels of another kind (a survival loss on class ids, a class loss on masks).
 */

/**
 * The kind of a dataset's labels:
 * - `classes`: one class id per sample (`numClasses` classes);
 * - `values`: one or more numbers per sample (regression; several label columns);
 * - `survival`: `[time, event]` per sample, time ≥ 0 and event 1 (observed) or 0 (censored);
 * - `mask`: a 0/1 mask per sample, shaped like the image (segmentation).
 */
export type TargetKind = 'classes' | 'values' | 'survival' | 'mask';

/** A dataset's labels, as reported at search time and stored in a node's registry. */
export interface DatasetTarget {
  readonly kind: TargetKind;
  /** Shape of one sample's label, e.g. `[1]`, `[2]` for `[time, event]`, `[64, 64, 1]` for a mask. */
  readonly shape: readonly number[];
  /** The source columns the label comes from, in order, when the source has columns (CSV). */
  readonly columns?: readonly string[];
}

/** The target of a dataset: the one its source declared, else class ids or values from `numClasses`. */
export function targetOf(metadata: { readonly target?: DatasetTarget; readonly numClasses: number; readonly labelShape: readonly number[] }): DatasetTarget {
  return metadata.target ?? { kind: metadata.numClasses > 0 ? 'classes' : 'values', shape: metadata.labelShape };
}

/** The target in words, for operators and error messages: `survival [time, event]`, `2 classes`, `mask [32, 32, 1]`. */
export function describeTarget(target: DatasetTarget, numClasses = 0): string {
  const columns = target.columns === undefined ? '' : ` (${target.columns.join(', ')})`;
  switch (target.kind) {
    case 'classes':
      return `${numClasses > 0 ? `${numClasses} ` : ''}classes${columns}`;
    case 'survival':
      return `survival [time, event]${columns}`;
    default:
      return `${target.kind} [${target.shape.join(', ')}]${columns}`;
  }
}
