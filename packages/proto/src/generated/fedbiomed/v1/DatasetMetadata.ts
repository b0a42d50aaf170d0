// Original file: proto/fedbiomed/v1/messages.proto

import type { FixedSplit as _fedbiomed_v1_FixedSplit, FixedSplit__Output as _fedbiomed_v1_FixedSplit__Output } from '../../fedbiomed/v1/FixedSplit';
import type { Long } from '@grpc/proto-loader';

export interface DatasetMetadata {
  'id'?: (string);
  'name'?: (string);
  'tags'?: (string)[];
  /**
   * "csv", "images", "mnist", "medical-folder", or a recipe name.
   */
  'dataType'?: (string);
  /**
   * Shape of one sample's features.
   */
  'featureShape'?: (number | string | Long)[];
  'sampleCount'?: (number | string | Long);
  'description'?: (string);
  /**
   * Number of classes for classification datasets (0 for regression).
   */
  'numClasses'?: (number);
  'featureDtypes'?: (string)[];
  /**
   * What the labels are: "classes", "values", "survival" ([time, event] rows) or "mask"; empty when the node does not know.
   */
  'targetKind'?: (string);
  /**
   * Shape of one sample's label, e.g. [2] for [time, event].
   */
  'labelShape'?: (number | string | Long)[];
  /**
   * The source columns the label comes from, when the source has columns (CSV).
   */
  'labelColumns'?: (string)[];
  /**
   * The split the dataset carries (split column or file, a recipe's): every experiment uses it as is.
   */
  'fixedSplit'?: (_fedbiomed_v1_FixedSplit | null);
}

export interface DatasetMetadata__Output {
  'id': (string);
  'name': (string);
  'tags': (string)[];
  /**
   * "csv", "images", "mnist", "medical-folder", or a recipe name.
   */
  'dataType': (string);
  /**
   * Shape of one sample's features.
   */
  'featureShape': (number)[];
  'sampleCount': (number);
  'description': (string);
  /**
   * Number of classes for classification datasets (0 for regression).
   */
  'numClasses': (number);
  'featureDtypes': (string)[];
  /**
   * What the labels are: "classes", "values", "survival" ([time, event] rows) or "mask"; empty when the node does not know.
   */
  'targetKind': (string);
  /**
   * Shape of one sample's label, e.g. [2] for [time, event].
   */
  'labelShape': (number)[];
  /**
   * The source columns the label comes from, when the source has columns (CSV).
   */
  'labelColumns': (string)[];
  /**
   * The split the dataset carries (split column or file, a recipe's): every experiment uses it as is.
   */
  'fixedSplit': (_fedbiomed_v1_FixedSplit__Output | null);
}
