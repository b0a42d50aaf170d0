// Original file: proto/fedbiomed/v1/messages.proto


export interface SearchRequest {
  /**
   * A dataset matches when its tags include every tag listed here.
   */
  'tags'?: (string)[];
}

export interface SearchRequest__Output {
  /**
   * A dataset matches when its tags include every tag listed here.
   */
  'tags': (string)[];
}
