// Original file: proto/fedbiomed/v1/analytics.proto


/**
 * Missing values per feature in the dataset as opened, and what the node's missing-value policy
 * did when the dataset was registered (rows read, dropped, imputed cells).
 */
export interface MissingCounts {
  'missing'?: (number | string)[];
  'rows'?: (number | string);
  'sourceRows'?: (number | string);
  'droppedRows'?: (number | string);
  'imputedCells'?: (number | string);
}

/**
 * Missing values per feature in the dataset as opened, and what the node's missing-value policy
 * did when the dataset was registered (rows read, dropped, imputed cells).
 */
export interface MissingCounts__Output {
  'missing': (number)[];
  'rows': (number);
  'sourceRows': (number);
  'droppedRows': (number);
  'imputedCells': (number);
}
