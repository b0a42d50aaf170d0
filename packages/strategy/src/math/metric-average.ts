/**
 * Running sample-weighted average of named metrics, per metric over the nodes that reported it.
 * A metric whose reporters all have weight 0 falls back to the plain mean, as FedAvg does.
 */
export class MetricAverager {
  private readonly sums = new Map<string, { weighted: number; weight: number; plain: number; count: number }>();

  add(metrics: Readonly<Record<string, number>> | undefined, weight: number): void {
    for (const [name, value] of Object.entries(metrics ?? {})) {
      // A node's NaN loss (diverged run) must not turn the round's average into NaN.
      if (!Number.isFinite(value)) continue;
      const entry = this.sums.get(name) ?? { weighted: 0, weight: 0, plain: 0, count: 0 };
      entry.weighted += weight * value;
      entry.weight += weight;
      entry.plain += value;
      entry.count += 1;
      this.sums.set(name, entry);
    }
  }

  /** Averages, keyed in sorted metric order so output does not depend on reply order. */
  result(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of [...this.sums.keys()].sort()) {
      const entry = this.sums.get(name)!;
      out[name] = entry.weight > 0 ? entry.weighted / entry.weight : entry.plain / entry.count;
    }
    return out;
  }
}
