/** Metric values measured on one node's test split (or the aggregate over nodes). */
export interface MetricValues {
  readonly values: Readonly<Record<string, number>>;
  readonly sampleCount: number;
}

/**
 * Averages metrics across nodes, weighting each node by its test sample count, metric by metric: a
 * metric only some nodes report is averaged over those nodes. Non-finite values are left out so one
 * node's NaN does not poison the federation's figure. When every weight is zero the mean is plain.
 */
export function aggregateMetrics(sets: readonly MetricValues[]): MetricValues {
  const names = new Set(sets.flatMap((set) => Object.keys(set.values)));
  const values: Record<string, number> = {};
  for (const name of [...names].sort()) {
    let weighted = 0;
    let weight = 0;
    let plain = 0;
    let count = 0;
    for (const set of sets) {
      const value = set.values[name];
      if (value === undefined || !Number.isFinite(value)) continue;
      weighted += value * set.sampleCount;
      weight += set.sampleCount;
      plain += value;
      count += 1;
    }
    if (count > 0) values[name] = weight > 0 ? weighted / weight : plain / count;
  }
  return { values, sampleCount: sets.reduce((total, set) => total + set.sampleCount, 0) };
}
