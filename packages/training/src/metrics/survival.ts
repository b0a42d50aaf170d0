import { checkLengths, type Labels } from './classification';

/**
 * Harrell's concordance index of risk scores (higher risk, earlier event): a pair is comparable
 * when the sample with the strictly shorter time had an event; it is concordant when that sample
 * has the higher risk; tied risks count half. Tied times are not comparable. NaN without a comparable pair.
 */
export function concordanceIndex(times: Labels, events: Labels, risks: Labels): number {
  checkLengths(times, events);
  checkLengths(times, risks);
  let comparable = 0;
  let concordant = 0;
  for (let i = 0; i < times.length; i++) {
    if (!events[i]) continue;
    for (let j = 0; j < times.length; j++) {
      if (times[i]! < times[j]!) {
        comparable++;
        if (risks[i]! > risks[j]!) concordant++;
        else if (risks[i] === risks[j]) concordant += 0.5;
      }
    }
  }
  return comparable === 0 ? Number.NaN : concordant / comparable;
}
