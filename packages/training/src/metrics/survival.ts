import { checkLengths, type Labels } from './classification';

/** Pair counts behind a concordance index. */
export interface ConcordancePairs {
  /** Comparable pairs. */
  readonly comparable: number;
  /** Comparable pairs whose earlier (or, at tied times, event) sample has the strictly higher risk. */
  readonly concordant: number;
  /** Comparable pairs whose two risks are equal. */
  readonly tiedRisk: number;
}

/**
 * Harrell's concordance index of risk scores (higher risk, earlier event), with lifelines' rules
 * (`lifelines.utils.concordance_index` given −risk as the predicted score):
 * - a pair is comparable when the sample with the shorter time had an event, or when both times are
 *   equal and exactly one of the two had an event (the event is taken to come first);
 *   tied times with two events, and pairs whose earlier time is censored, are not comparable;
 * - a comparable pair counts 1 when the earlier (or, at tied times, the event) sample has the higher
 *   risk, ½ when the two risks are equal, 0 otherwise.
 *
 * The index is the count over the comparable pairs; NaN when there is none (lifelines raises).
 */
export function concordanceIndex(times: Labels, events: Labels, risks: Labels): number {
  const { comparable, concordant, tiedRisk } = concordancePairs(times, events, risks);
  return comparable === 0 ? Number.NaN : (concordant + tiedRisk / 2) / comparable;
}

/** The comparable, concordant and risk-tied pairs of {@link concordanceIndex}, counted exactly. */
export function concordancePairs(times: Labels, events: Labels, risks: Labels): ConcordancePairs {
  checkLengths(times, events);
  checkLengths(times, risks);
  let comparable = 0;
  let concordant = 0;
  let tiedRisk = 0;
  for (let i = 0; i < times.length; i++) {
    if (!events[i]) continue;
    for (let j = 0; j < times.length; j++) {
      const earlier = times[i]! < times[j]! || (times[i] === times[j] && !events[j]);
      if (!earlier) continue;
      comparable++;
      if (risks[i]! > risks[j]!) concordant++;
      else if (risks[i] === risks[j]) tiedRisk++;
    }
  }
  return { comparable, concordant, tiedRisk };
}
