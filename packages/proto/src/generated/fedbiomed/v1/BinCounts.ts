// Original file: proto/fedbiomed/v1/analytics.proto


/**
 * Counts per bin: the rows below the first edge, one count per bin, the rows above the last edge.
 */
export interface BinCounts {
  'counts'?: (number | string)[];
}

/**
 * Counts per bin: the rows below the first edge, one count per bin, the rows above the last edge.
 */
export interface BinCounts__Output {
  'counts': (number)[];
}
