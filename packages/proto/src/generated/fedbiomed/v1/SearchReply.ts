// Original file: proto/fedbiomed/v1/messages.proto

import type { DatasetMetadata as _fedbiomed_v1_DatasetMetadata, DatasetMetadata__Output as _fedbiomed_v1_DatasetMetadata__Output } from '../../fedbiomed/v1/DatasetMetadata';

export interface SearchReply {
  'datasets'?: (_fedbiomed_v1_DatasetMetadata)[];
}

export interface SearchReply__Output {
  'datasets': (_fedbiomed_v1_DatasetMetadata__Output)[];
}
