// Original file: proto/fedbiomed/v1/messages.proto


/**
 * Asks the researcher-side to stop a request in flight.
 */
export interface Cancel {
  'requestId'?: (string);
  'reason'?: (string);
}

/**
 * Asks the researcher-side to stop a request in flight.
 */
export interface Cancel__Output {
  'requestId': (string);
  'reason': (string);
}
