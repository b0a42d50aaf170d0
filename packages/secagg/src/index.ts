export { SecAggClient, type MaskingRecord } from './client';
export { degreeBounds, NeighbourGraph, seededPermutation, transcriptDigest, type GraphParameters } from './graph';
export { SECAGG_ERROR_CODES, SecAggError, type SecAggErrorCode } from './errors';
export { MASKED_UPDATE_TENSOR, type AdvertisedKeys, type EncryptedShare, type RevealedShare, type UnmaskRequest, type UnmaskShares } from './messages';
export {
  checkParameters,
  fixedPointScale,
  quantizationErrorBound,
  totalWeightBound,
  type SecAggParameters,
} from './parameters';
export { runSecAggInProcess, type InProcessNode, type InProcessOptions } from './in-process';
export { SecAggServer, type SecAggResult } from './server';
export { combineShares, splitSecret, type Share } from './shamir';
