// Original file: proto/fedbiomed/v1/secagg.proto


export interface SecAggRevealedShare {
  'owner'?: (string);
  'x'?: (number);
  'y'?: (Buffer | Uint8Array | string);
}

export interface SecAggRevealedShare__Output {
  'owner': (string);
  'x': (number);
  'y': (Buffer);
}
