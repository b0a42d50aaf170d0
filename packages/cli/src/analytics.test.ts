/**
 * Federated analytics end to end on the four Fed-Heart-Disease centres. Real parts: a researcher
 * server and four node runtimes (`startNode`, as `fedbiomed node start` runs it) on gRPC over
 * loopback, each with its own SQLite registry, approval and audit, and one bundled centre
 * registered raw (`normalize: false`). The expected values are computed here, directly on the rows
 * of the concatenated centres as `@fedbiomed/datasets` opens them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEART_DISEASE_CENTERS, openHeartDisease, type Dataset } from '@fedbiomed/datasets';
import { createNode, initNodeFolder, startNode, type Node, type NodeConfigInput, type RunningNode } from '@fedbiomed/node';
import { Analytics, createTransportFederation, ResearcherError, type AnalyticsFederation, type StatisticValue } from '@fedbiomed/researcher';
import { bundledDataset, makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { buildAnalyticsQuery, type AnalyticsQueryInput } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';

jest.setTimeout(120_000);

const TOKEN = 'analytics-token';
const SILENT = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const FEATURES = ['age', 'trestbps', 'chol', 'thalach', 'oldpeak'];
const AGE_EDGES = Array.from({ length: 61 }, (_, i) => 20 + i);

/** Four in-process nodes, one centre each, under one analytics policy. */
class HeartFederation {
  readonly nodes: Node[] = [];
  readonly running: RunningNode[] = [];
  readonly datasetIds: string[] = [];
  server!: ResearcherServer;
  federation!: AnalyticsFederation;
  #tmp!: TempDir;

  async start(policy: NodeConfigInput['policy']): Promise<this> {
    this.#tmp = makeTempDir('fedbiomed-analytics-');
    this.server = new ResearcherServer({ enrolmentTokens: [TOKEN], researcherId: 'researcher-analytics', logger: SILENT });
    const port = await this.server.start();
    for (const [center, name] of HEART_DISEASE_CENTERS.entries()) {
      const dir = join(this.#tmp.path, name);
      const config = initNodeFolder(dir, { nodeId: `hospital-${name}`, nodeName: `Hospital ${name}`, researcher: { address: `127.0.0.1:${port}`, enrolmentToken: TOKEN }, logLevel: 'silent', ...(policy && { policy }) });
      const node = createNode({ dir, config });
      this.nodes.push(node);
      const options = { center, normalize: false };
      this.datasetIds.push((await node.datasets.add({ dataType: 'heart-disease', path: bundledDataset('heart_disease'), tags: ['heart'], options }, 'operator')).id);
      this.running.push(await startNode(node));
    }
    this.federation = createTransportFederation(this.server);
    const online = (): number => this.server.nodes().filter((n) => n.state === 'online').length;
    while (online() < this.nodes.length) await new Promise((resolve) => setTimeout(resolve, 50));
    return this;
  }

  /** An `Analytics` whose "operators" approve every pending query as it arrives. */
  analytics(minNodes = 4): Analytics {
    return new Analytics({
      federation: this.federation,
      tags: ['heart'],
      minNodes,
      approvalPollIntervalMs: 50,
      approvalTimeoutMs: 20_000,
      onEvent: (event) => {
        if (event.type === 'approval-pending') this.nodes.find((n) => n.config.nodeId === event.nodeId)?.plans.approve(event.planSha256, { by: 'operator' });
      },
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.map((node) => node.stop()));
    await this.server.stop();
    this.nodes.forEach((node) => node.close());
    this.#tmp.dispose();
  }
}

/** The centres as the nodes open them, raw. */
async function centres(): Promise<Dataset[]> {
  return Promise.all(HEART_DISEASE_CENTERS.map((_, center) => openHeartDisease({ dir: bundledDataset('heart_disease'), center: center as 0 | 1 | 2 | 3, normalize: false }).then((c) => c.dataset)));
}

function column(datasets: readonly Dataset[], name: string): number[] {
  return datasets.flatMap((dataset) => {
    const j = dataset.metadata.featureNames!.indexOf(name);
    return Array.from({ length: dataset.size }, (_, i) => dataset.features(i)[j]!);
  });
}

const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function covarianceOf(xs: readonly number[], ys: readonly number[]): number {
  const mx = meanOf(xs);
  const my = meanOf(ys);
  return xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / (xs.length - 1);
}

function expectClose(actual: number, expected: number): void {
  // A constant feature (Switzerland's chol is 0 throughout) has no correlation, here or there.
  if (Number.isNaN(expected)) return expect(actual).toBeNaN();
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

/** Rows of a raw centre file with `?` in a column FLamby keeps (every column but slope, ca and thal). */
function rowsWithMissing(center: string): number {
  const lines = readFileSync(join(bundledDataset('heart_disease'), `processed.${center}.data`), 'utf8').trim().split('\n');
  return lines.filter((line) => line.split(',').some((cell, j) => ![10, 11, 12].includes(j) && cell.trim() === '?')).length;
}

/** The statistic of kind `kind` in a result. */
function pick<K extends StatisticValue['kind']>(values: readonly StatisticValue[], kind: K): Extract<StatisticValue, { kind: K }> {
  return values.find((v) => v.kind === kind) as Extract<StatisticValue, { kind: K }>;
}

const FULL_QUERY: AnalyticsQueryInput = {
  name: 'heart-overview',
  description: 'what the four centres hold',
  statistics: [
    { kind: 'count' },
    { kind: 'sum', features: FEATURES },
    { kind: 'mean', features: FEATURES },
    { kind: 'variance', features: FEATURES },
    { kind: 'covariance', features: FEATURES },
    { kind: 'min', features: FEATURES },
    { kind: 'max', features: FEATURES },
    { kind: 'histogram', feature: 'age', edges: [20, 40, 50, 60, 80] },
    { kind: 'quantiles', feature: 'age', edges: AGE_EDGES, probabilities: [0.1, 0.25, 0.5, 0.75, 0.9] },
    { kind: 'labelCounts' },
    { kind: 'missing' },
  ],
};

describe('federated analytics without a minimum cell count, minima and maxima allowed', () => {
  const fed = new HeartFederation();
  let data: Dataset[];
  beforeAll(async () => {
    data = await centres();
    await fed.start({ analytics: { minCellCount: 1, allowMinMax: true } });
  });
  afterAll(() => fed.stop());

  it('pools count, sums, means, variances, covariances, extremes, histograms, label and missing counts exactly, and quantiles within the bin width', async () => {
    const result = await fed.analytics().query(FULL_QUERY);
    expect(result.nodes.map((n) => n.nodeName)).toEqual(HEART_DISEASE_CENTERS.map((c) => `Hospital ${c}`).sort());
    expect(result.failures).toEqual([]);

    const parts: [readonly StatisticValue[], Dataset[]][] = [[result.pooled, data]];
    for (const node of result.nodes) parts.push([node.statistics, [data[HEART_DISEASE_CENTERS.findIndex((c) => `hospital-${c}` === node.nodeId)]!]]);
    for (const [statistics, rows] of parts) {
      const n = rows.reduce((s, d) => s + d.size, 0);
      const columns = FEATURES.map((name) => column(rows, name));
      expect(pick(statistics, 'count').count).toBe(n);
      pick(statistics, 'sum').sum.forEach((s, j) => expectClose(s, columns[j]!.reduce((a, b) => a + b, 0)));
      pick(statistics, 'mean').mean.forEach((m, j) => expectClose(m, meanOf(columns[j]!)));
      const variance = pick(statistics, 'variance');
      variance.variance.forEach((v, j) => expectClose(v, covarianceOf(columns[j]!, columns[j]!)));
      variance.std.forEach((s, j) => expectClose(s, Math.sqrt(covarianceOf(columns[j]!, columns[j]!))));
      const covariance = pick(statistics, 'covariance');
      expect(covariance.features).toEqual(FEATURES);
      covariance.covariance.forEach((row, a) => row.forEach((c, b) => expectClose(c, covarianceOf(columns[a]!, columns[b]!))));
      covariance.correlation.forEach((row, a) =>
        row.forEach((r, b) => expectClose(r, covarianceOf(columns[a]!, columns[b]!) / Math.sqrt(covarianceOf(columns[a]!, columns[a]!) * covarianceOf(columns[b]!, columns[b]!)))),
      );
      expect(pick(statistics, 'min').values).toEqual(columns.map((c) => Math.min(...c)));
      expect(pick(statistics, 'max').values).toEqual(columns.map((c) => Math.max(...c)));
      const ages = column(rows, 'age');
      const histogram = pick(statistics, 'histogram');
      expect([histogram.below, ...histogram.counts, histogram.above]).toEqual([
        ages.filter((a) => a < 20).length,
        ages.filter((a) => a >= 20 && a < 40).length,
        ages.filter((a) => a >= 40 && a < 50).length,
        ages.filter((a) => a >= 50 && a < 60).length,
        ages.filter((a) => a >= 60 && a <= 80).length,
        ages.filter((a) => a > 80).length,
      ]);
      // The exact q-quantile (inverted empirical CDF) lies in the interval reported, whose width (1 year) bounds the error.
      const sorted = [...ages].sort((a, b) => a - b);
      for (const q of pick(statistics, 'quantiles').quantiles) {
        const exact = sorted[Math.max(1, Math.ceil(q.probability * sorted.length)) - 1]!;
        expect(q.errorBound).toBe(1);
        expect(exact).toBeGreaterThanOrEqual(q.lower);
        expect(exact).toBeLessThanOrEqual(q.upper);
        expect(Math.abs(q.value - exact)).toBeLessThanOrEqual(q.errorBound);
      }
      const labels = rows.flatMap((d) => Array.from({ length: d.size }, (_, i) => d.label(i)[0]!));
      const labelCounts = pick(statistics, 'labelCounts');
      expect(labelCounts.classNames).toEqual(['no disease', 'disease']);
      expect(labelCounts.counts).toEqual([labels.filter((l) => l === 0).length, labels.filter((l) => l === 1).length]);
    }

    // Missing values: FLamby's recipe drops every row with a `?` in a kept column, as counted in the raw files here.
    const missing = pick(result.pooled, 'missing');
    expect(missing.droppedRows).toBe(HEART_DISEASE_CENTERS.reduce((s, c) => s + rowsWithMissing(c), 0));
    expect(missing.droppedRows).toBeGreaterThan(0);
    expect(missing.sourceRows).toBe(missing.rows + missing.droppedRows);
    expect(missing.missing).toEqual(new Array(13).fill(0));

    // Each node audited the answer under the query's hash.
    expect(result.querySha256).toBe(buildAnalyticsQuery(FULL_QUERY).plan.sha256);
    for (const node of fed.nodes) {
      expect(node.audit({ action: 'analytics' }).map((e) => [e.outcome, e.planSha256])).toEqual([['done', result.querySha256]]);
      expect(node.plans.find(result.querySha256)?.approval.status).toBe('approved');
    }
  });
});

describe('federated analytics under the default policy (approval required, minimum cell count 10, no minima or maxima)', () => {
  const fed = new HeartFederation();
  let data: Dataset[];
  beforeAll(async () => {
    data = await centres();
    await fed.start(undefined);
  });
  afterAll(() => fed.stop());

  it('refuses a query no operator approved, and audits the refusal', async () => {
    const { plan } = buildAnalyticsQuery({ name: 'never-approved', statistics: [{ kind: 'count' }] });
    const tasks = fed.nodes.map((node, i) => ({ nodeId: node.config.nodeId, datasetId: fed.datasetIds[i]!, query: plan }));
    const outcomes = [];
    for await (const outcome of fed.federation.analytics(tasks, { experimentId: 'unapproved', timeoutMs: 10_000 })) outcomes.push(outcome);
    expect(outcomes).toHaveLength(4);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ ok: false, code: 'PLAN_NOT_APPROVED' });
      expect(outcome.ok ? '' : outcome.message).toContain(`plan ${plan.sha256} is unknown to this node`);
    }
    for (const node of fed.nodes) expect(node.audit({ action: 'analytics' })[0]).toMatchObject({ outcome: 'refused', planSha256: plan.sha256 });
  });

  it('waits for each operator, then answers; a histogram bin under 10 rows refuses the query on that node only', async () => {
    const edges = [20, 30, 80];
    const result = await fed.analytics(1).query({ name: 'young-patients', statistics: [{ kind: 'count' }, { kind: 'histogram', feature: 'age', edges }] });
    const small = data.map((d) => column([d], 'age').filter((a) => a >= 20 && a < 30).length);
    const refusing = HEART_DISEASE_CENTERS.filter((_, i) => small[i]! > 0 && small[i]! < 10).map((c) => `hospital-${c}`);
    // The bundled centres hold some and not all such bins, so both outcomes are exercised.
    expect(refusing.length).toBeGreaterThan(0);
    expect(refusing.length).toBeLessThan(4);
    expect(result.failures.map((f) => f.nodeId).sort()).toEqual(refusing.sort());
    for (const failure of result.failures) {
      expect(failure.code).toBe('POLICY_VIOLATION');
      expect(failure.reason).toContain('statistic #2 (histogram of age): bin [20, 30) of age holds fewer than 10 rows, the minimum cell count of this node');
    }
    expect(result.nodes.map((n) => n.nodeId).sort()).toEqual(fed.nodes.map((n) => n.config.nodeId).filter((id) => !refusing.includes(id)).sort());
    // The query waited for each operator: submitted as pending, approved, then answered (or refused).
    for (const node of fed.nodes) {
      const actions = node.audit({ planSha256: result.querySha256 }).map((e) => `${e.action} ${e.outcome}`).reverse();
      expect(actions.slice(0, 2)).toEqual(['plan.submit pending', 'plan.approve approved']);
      expect(actions[2]).toBe(refusing.includes(node.config.nodeId) ? 'analytics refused' : 'analytics done');
    }
    // The pooled statistics cover the answering nodes only.
    const answering = data.filter((_, i) => !refusing.includes(`hospital-${HEART_DISEASE_CENTERS[i]}`));
    expect(pick(result.pooled, 'count').count).toBe(answering.reduce((s, d) => s + d.size, 0));
  });

  it('refuses minima and maxima unless the policy allows them', async () => {
    const query = fed.analytics(1).query({ name: 'oldest', statistics: [{ kind: 'max', features: ['age'] }] });
    await expect(query).rejects.toThrow(ResearcherError);
    await expect(query).rejects.toThrow(/ANALYTICS_FAILED|0 of 4 nodes answered/);
    await expect(query).rejects.toThrow(/this node does not release minima or maxima \(policy analytics.allowMinMax is false\)/);
  });
});

describe('federated analytics under a Laplace DP policy', () => {
  const fed = new HeartFederation();
  let data: Dataset[];
  const EPSILON = 2;
  beforeAll(async () => {
    data = await centres();
    await fed.start({ analytics: { autoApprove: true, minCellCount: 1, dp: { mechanism: 'laplace', epsilon: EPSILON, bounds: { age: [0, 100] } } } });
  });
  afterAll(() => fed.stop());

  it('noises each statistic with the scale its sensitivity and share of epsilon give, and reports epsilon', async () => {
    const result = await fed.analytics().query({ name: 'noisy', statistics: [{ kind: 'count' }, { kind: 'mean', features: ['age'] }, { kind: 'labelCounts' }] });
    const share = EPSILON / 3;
    for (const node of result.nodes) {
      expect(node.privacy).toMatchObject({ mechanism: 'laplace', epsilon: EPSILON, delta: 0 });
      // Count and label counts: sensitivity 1. Mean of age in [0, 100]: count 1 + sum 100 + sum of squares 100².
      expect(node.privacy.noiseScales).toEqual([1 / share, (1 + 100 + 100 * 100) / share, 1 / share]);
    }
    const exact = data.reduce((s, d) => s + d.size, 0);
    const noisy = pick(result.pooled, 'count').count;
    expect(noisy).not.toBe(exact);
    // Four Laplace(1.5) draws: their sum is within 40 scales of 0 except with negligible probability.
    expect(Math.abs(noisy - exact)).toBeLessThan(40 * (1 / share));
  });

  it('refuses a sum of a feature without DP bounds', async () => {
    await expect(fed.analytics().query({ name: 'unbounded', statistics: [{ kind: 'mean', features: ['chol'] }] })).rejects.toThrow(/feature chol has no bounds in the node's DP policy/);
  });
});
