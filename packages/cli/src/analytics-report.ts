import type { AnalyticsResult, StatisticValue } from '@fedbiomed/researcher';

/** A number as the report prints it: integers as is, others to 6 significant digits. */
function num(value: number): string {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(6)).toString();
}

function pairs(names: readonly string[], values: readonly number[]): string {
  return names.map((name, i) => `${name}=${num(values[i] as number)}`).join(' ');
}

/** One statistic on one line, e.g. `mean (n=740): age=53.5 chol=199.1`. */
export function statisticLine(value: StatisticValue): string {
  switch (value.kind) {
    case 'count':
      return `count: ${num(value.count)}`;
    case 'sum':
      return `sum (n=${num(value.count)}): ${pairs(value.features, value.sum)}`;
    case 'mean':
      return `mean (n=${num(value.count)}): ${pairs(value.features, value.mean)}`;
    case 'variance':
      return `std (ddof ${value.ddof}, n=${num(value.count)}): ${pairs(value.features, value.std)}`;
    case 'min':
    case 'max':
      return `${value.kind}: ${pairs(value.features, value.values)}`;
    case 'histogram':
      return `histogram of ${value.feature}: below ${num(value.below)} | ${value.counts.map((c, i) => `[${value.edges[i]}, ${value.edges[i + 1]}${i === value.counts.length - 1 ? ']' : ')'} ${num(c)}`).join(' | ')} | above ${num(value.above)}`;
    case 'quantiles':
      return `quantiles of ${value.feature}: ${value.quantiles.map((q) => `q${q.probability}=${num(q.value)} (in [${q.lower}, ${q.upper}])`).join(' ')}`;
    case 'covariance':
      return `correlation (n=${num(value.count)}) of ${value.features.join(', ')}: ${value.correlation.map((row) => `[${row.map(num).join(' ')}]`).join(' ')}`;
    case 'labelCounts':
      return `label counts: ${pairs(value.classNames, value.counts)}`;
    case 'missing':
      return `missing: ${num(value.droppedRows)} of ${num(value.sourceRows)} source rows dropped, ${num(value.imputedCells)} values imputed; ${num(value.missing.reduce((a, b) => a + b, 0))} missing values in ${num(value.rows)} rows`;
  }
}

/** The report of a query: pooled statistics, then each node's, then refusals. */
export function analyticsReport(result: AnalyticsResult): string {
  const lines = [`query "${result.query.name}" ${result.querySha256.slice(0, 12)}… answered by ${result.nodes.map((n) => n.nodeName).join(', ')}`, 'pooled:'];
  result.pooled.forEach((value, i) => lines.push(`  #${i + 1} ${statisticLine(value)}`));
  for (const node of result.nodes) {
    const privacy = node.privacy.mechanism === 'none' ? '' : ` (${node.privacy.mechanism} noise, epsilon ${node.privacy.epsilon})`;
    lines.push(`${node.nodeName} (${node.nodeId}, dataset ${node.datasetId})${privacy}:`);
    node.statistics.forEach((value, i) => lines.push(`  #${i + 1} ${statisticLine(value)}`));
  }
  for (const failure of result.failures) lines.push(`refused by ${failure.nodeName}: ${failure.code}: ${failure.reason}`);
  return lines.join('\n');
}
