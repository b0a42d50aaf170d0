// Original file: proto/fedbiomed/v1/messages.proto

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
}
