// Scale: one researcher (the real @fedbiomed/transport ResearcherServer and the researcher's
// transport federation) holding N connected node sessions. The nodes are real NodeClient sessions
// without training (a handler that returns the global model plus a small delta) spread over a few
// worker processes; they send heartbeats, answer a round that sends a small model to all, and churn
// (a fraction disconnecting and reconnecting per period). Loopback only; every phase is bounded and
// the script stops by itself.
//
//   npx tsc -b tsconfig.build.json && node tools/bench/scale.mjs --nodes 1000,10000
//       [--workers 4] [--model-floats 1024] [--heartbeat-ms 10000] [--idle-s 10]
//       [--churn-fraction 0.1] [--churn-period-s 60] [--churn-s 60] [--connect-timeout-s 120]
//       [--round-timeout-s 120] [--max-s 900] [--aggregators 0]
//
// --aggregators K > 0: hierarchical aggregation. K intermediate-aggregator processes, each the real
// `startIntermediateAggregator` of @fedbiomed/researcher, dial the root researcher over gRPC as nodes
// and serve their own leaves over gRPC; leaf i dials aggregator i mod K. The root searches (one dataset
// per subtree; again before the last round, once every leaf is back), then sends each round to the K aggregators, which forward it to their leaves
// and answer with their subtree's FedAvg mean. The root checks that the round covered all N leaves
// (each aggregator names how many of its leaves it aggregated, and the summed sample counts must equal
// the leaves') and that the mean over all of them is global + 0.001. RSS per node is reported for the
// root (per aggregator session) and for each aggregator (per leaf session).
//
// Each size runs in a fresh researcher process (started with --expose-gc, so RSS is read after a
// full collection) and fresh workers. One JSON line per size on stdout:
//   rssPerNodeKiB    (researcher RSS with N sessions − RSS before any) / N
//   roundMs          a round to all N nodes: request out, every reply in and summed (FedAvg)
//   heartbeatCpu     researcher CPU seconds per second while idle with N sessions (heartbeats only)
//   churnRounds      rounds run while nodes churn: replies aggregated, nodes lost mid-round
//   sessions         which process holds how many sessions (root, each aggregator, each worker)
// A size "breaks" when not every node connects within --connect-timeout-s, or a round loses replies
// from nodes that stayed connected; the sizes after it are not tried.
//
// File descriptors: the researcher holds one socket per node and each worker one per client it
// runs. Children are spawned through `sh -c 'ulimit -n <hard limit>'`, which raises their soft limit
// to the hard limit (RLIMIT_NOFILE); a size above what that allows is reported as a break.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const TOKEN = 'scale-bench';
const MiB = 2 ** 20;
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    nodes: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '4' },
    aggregators: { type: 'string', default: '0' },
    'model-floats': { type: 'string', default: '1024' },
    'heartbeat-ms': { type: 'string', default: '10000' },
    'idle-s': { type: 'string', default: '10' },
    'churn-fraction': { type: 'string', default: '0.1' },
    'churn-period-s': { type: 'string', default: '60' },
    'churn-s': { type: 'string', default: '60' },
    'connect-timeout-s': { type: 'string', default: '120' },
    'round-timeout-s': { type: 'string', default: '120' },
    'max-s': { type: 'string', default: '900' },
    // Worker and aggregator only.
    port: { type: 'string' },
    ports: { type: 'string' },
    first: { type: 'string' },
    count: { type: 'string' },
    index: { type: 'string' },
  },
});
const num = (name) => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`scale.mjs: --${name} must be a non-negative number, got "${args[name]}"`);
  return value;
};
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const rssMiB = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage.rss() / MiB;
};
const maxRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** Leaf i's sample count, the weight FedAvg gives its reply. */
const leafSamples = (index) => 1 + (index % 7);
/** How many of the leaves 0..n-1 dial aggregator k of `aggregators` (leaf i dials i mod K). */
const leavesOf = (k, n, aggregators) => (k < n ? Math.floor((n - 1 - k) / aggregators) + 1 : 0);

/** Lines of JSON from a child's stdout, handed to `onMessage`; other lines go to stderr. */
function readMessages(child, onMessage) {
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => {
    buffer += text;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (line.startsWith('{')) onMessage(JSON.parse(line));
      else if (line !== '') process.stderr.write(`${line}\n`);
    }
  });
}

/** Lines a child reads from its stdin (commands from the main process), handed to `onLine`. */
function readCommands(onLine) {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text) => {
    input += text;
    const lines = input.split('\n');
    input = lines.pop();
    for (const line of lines) onLine(line);
  });
  process.stdin.on('end', () => process.exit(0));
}

/** Spawns this script in `role` with a raised descriptor limit (see the header). */
function spawnRole(role, extra, nodeFlags = []) {
  const argv = [process.execPath, ...nodeFlags, SELF, '--role', role, ...extra].map((a) => `'${a}'`).join(' ');
  return spawn('sh', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${argv}`], { stdio: ['pipe', 'pipe', 'inherit'] });
}

/** Counts a server's online sessions and wakes whoever waits for a count. */
function onlineCounter(server) {
  const counter = { online: 0, disconnects: 0 };
  let waiters = [];
  server.on('nodeOnline', () => {
    counter.online += 1;
    waiters = waiters.filter((waiter) => !waiter());
  });
  server.on('nodeOffline', () => {
    counter.disconnects += 1;
    counter.online -= 1;
  });
  counter.waitFor = (count, timeoutMs) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const check = () => (counter.online >= count ? (clearTimeout(timer), resolve(true), true) : false);
      if (!check()) waiters.push(check);
    });
  return counter;
}

/**** main: one researcher, its aggregators and its workers per size ****/
async function main() {
  const sizes = args.nodes.split(',').map((s) => Number(s));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new TypeError(`scale.mjs: --nodes must list positive integers, got "${args.nodes}"`);
  const aggregators = num('aggregators');
  if (!Number.isInteger(aggregators)) throw new TypeError(`scale.mjs: --aggregators must be a whole number, got "${args.aggregators}"`);
  const deadline = Date.now() + num('max-s') * 1000;
  const passOn = ['model-floats', 'heartbeat-ms', 'idle-s', 'churn-fraction', 'churn-period-s', 'churn-s', 'connect-timeout-s', 'round-timeout-s'].flatMap(
    (name) => [`--${name}`, String(args[name])],
  );
  const results = [];
  for (const n of sizes) {
    const budgetS = Math.max(1, Math.floor((deadline - Date.now()) / 1000));
    const result = await runSize(n, Math.min(num('workers'), n), Math.min(aggregators, n), passOn, budgetS);
    results.push(result);
    send(result);
    if (!result.ok) break;
  }
  const largestOk = results.filter((r) => r.ok).map((r) => r.nodes);
  send({ summary: true, largestHeld: largestOk.length ? Math.max(...largestOk) : 0, brokeAt: results.find((r) => !r.ok)?.nodes ?? null });
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

/**
 * One size: the root researcher, then (with aggregators) the K aggregators once the root listens,
 * then the workers once every aggregator listens. Main relays the phases between them: the root
 * asks for all leaves online (`waitLeaves`), main answers when the aggregators' counts add up to N;
 * the root's idle window is each aggregator's idle window.
 */
async function runSize(n, workerCount, aggregatorCount, passOn, budgetS) {
  const hierarchical = aggregatorCount > 0;
  const root = spawnRole('researcher', ['--nodes', String(n), '--aggregators', String(aggregatorCount), ...passOn], ['--expose-gc']);
  const aggregators = [];
  const aggregatorPorts = [];
  const aggregatorStats = Array.from({ length: aggregatorCount }, (_, k) => ({ index: k, expectedLeaves: leavesOf(k, n, aggregatorCount), leavesOnline: 0 }));
  // Each aggregator's last words (peak RSS, leaf disconnections), asked for once the root is done.
  const finalReports = [];
  const workers = [];
  const workerSessions = [];
  let leavesWanted = false;
  const startedAt = Date.now();
  const progress = [];
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const children = () => [root, ...aggregators, ...workers];
  const timer = setTimeout(() => finished({ nodes: n, ok: false, error: `did not finish within the time left (${budgetS} s)` }), budgetS * 1000);
  root.on('exit', (code) => finished({ nodes: n, ok: false, error: `researcher exited (${code}) before reporting` }));

  const startWorkers = (ports) => {
    const per = Math.ceil(n / workerCount);
    for (let w = 0; w < workerCount; w += 1) {
      const first = w * per;
      const count = Math.min(per, n - first);
      if (count <= 0) break;
      const worker = spawnRole('worker', ['--ports', ports.join(','), '--first', String(first), '--count', String(count), ...passOn]);
      readMessages(worker, (m) => m.error && process.stderr.write(`worker ${w}: ${m.error}\n`));
      worker.on('exit', (code) => code !== 0 && code !== null && finished({ nodes: n, ok: false, error: `worker ${w} exited with ${code}` }));
      workers.push(worker);
      workerSessions.push({ worker: w, leaves: count, first });
    }
  };
  const leavesOnline = () => aggregatorStats.reduce((sum, stats) => sum + stats.leavesOnline, 0);
  const answerLeaves = () => {
    if (leavesWanted && leavesOnline() >= n) {
      leavesWanted = false;
      root.stdin.write('leaves-online\n');
    }
  };
  const startAggregators = (rootPort) => {
    for (let k = 0; k < aggregatorCount; k += 1) {
      const aggregator = spawnRole('aggregator', ['--port', String(rootPort), '--index', String(k), '--count', String(leavesOf(k, n, aggregatorCount)), ...passOn], ['--expose-gc']);
      readMessages(aggregator, (m) => {
        if (m.listening) {
          aggregatorPorts[k] = m.listening;
          if (aggregatorPorts.filter(Boolean).length === aggregatorCount) startWorkers(aggregatorPorts);
        } else if (m.leavesOnline !== undefined) {
          aggregatorStats[k].leavesOnline = m.leavesOnline;
          answerLeaves();
        } else if (m.measured) {
          Object.assign(aggregatorStats[k], m.measured);
        } else if (m.maxRssMiB !== undefined) {
          finalReports[k]?.(m);
        }
      });
      aggregator.on('exit', (code) => code !== 0 && code !== null && finished({ nodes: n, ok: false, error: `aggregator ${k} exited with ${code}` }));
      aggregators.push(aggregator);
    }
  };

  readMessages(root, (message) => {
    if (message.listening) {
      if (hierarchical) startAggregators(message.listening);
      else startWorkers([message.listening]);
    } else if (message.waitLeaves) {
      leavesWanted = true;
      answerLeaves();
    } else if (message.idle !== undefined) {
      for (const aggregator of aggregators) aggregator.stdin.write(`${message.idle ? 'idle' : 'busy'}\n`);
    } else if (message.churn !== undefined) {
      for (const worker of workers) worker.stdin.write(`${message.churn ? 'churn' : 'calm'}\n`);
    } else if (message.progress) {
      // Where a size that runs out of time got to: each phase, when, and how many leaves were online.
      const step = { ...message.progress, atS: Math.round((Date.now() - startedAt) / 1000), ...(hierarchical ? { leavesOnline: leavesOnline() } : {}) };
      progress.push(step);
      process.stderr.write(`scale.mjs ${n}: ${JSON.stringify(step)}\n`);
    } else if (message.result) {
      finished(message.result);
    }
  });
  const result = await done;
  clearTimeout(timer);
  if (hierarchical) {
    const reports = aggregators.map(
      (aggregator, k) =>
        new Promise((resolve) => {
          const wait = setTimeout(resolve, 5000);
          finalReports[k] = (m) => {
            Object.assign(aggregatorStats[k], { maxRssMiB: m.maxRssMiB, leafDisconnects: m.leafDisconnects });
            clearTimeout(wait);
            resolve();
          };
          if (aggregator.exitCode === null) aggregator.stdin.write('report\n');
        }),
    );
    await Promise.all(reports);
  }
  for (const child of children()) if (child.exitCode === null) child.kill('SIGKILL');
  const sessions = hierarchical
    ? { root: aggregatorCount, aggregators: aggregatorStats.map(({ index, expectedLeaves, leavesOnline }) => ({ index, leaves: expectedLeaves, online: leavesOnline })), workers: workerSessions }
    : { root: n, workers: workerSessions };
  return { ...result, workers: workers.length, ...(hierarchical ? { aggregators: aggregatorStats } : {}), sessions, ...(result.ok ? {} : { progress }) };
}

/**** researcher: the root server, its federation, the measurements ****/
async function researcherMain() {
  const { ResearcherServer } = require('../../packages/transport/dist/index.js');
  const { createTransportFederation } = require('../../packages/researcher/dist/index.js');
  const { createLayout } = require('../../packages/strategy/dist/index.js');
  const n = num('nodes');
  const aggregatorCount = num('aggregators');
  const hierarchical = aggregatorCount > 0;
  const modelFloats = num('model-floats');
  const heartbeatIntervalMs = num('heartbeat-ms');
  const roundTimeoutMs = num('round-timeout-s') * 1000;
  const connectTimeoutMs = num('connect-timeout-s') * 1000;

  const rssBefore = rssMiB();
  const server = new ResearcherServer({ enrolmentTokens: [TOKEN], heartbeatIntervalMs, logger: silent, helloTimeoutMs: 60_000 });
  const federation = createTransportFederation(server);
  const sessions = onlineCounter(server);
  let leavesOnline = () => {};
  readCommands((line) => line === 'leaves-online' && leavesOnline());
  /** Every leaf online: asked of main, which sums the aggregators' counts (flat: the root's own sessions). */
  const waitAllLeaves = (timeoutMs) => {
    if (!hierarchical) return sessions.waitFor(n, timeoutMs);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      leavesOnline = () => (clearTimeout(timer), resolve(true));
      send({ waitLeaves: true });
    });
  };
  const port = await server.start();
  send({ listening: port });

  const connectStarted = Date.now();
  const connected = (await sessions.waitFor(hierarchical ? aggregatorCount : n, connectTimeoutMs)) && (await waitAllLeaves(connectStarted + connectTimeoutMs - Date.now()));
  const connectS = (Date.now() - connectStarted) / 1000;
  if (!connected) {
    const what = hierarchical ? `of ${aggregatorCount} aggregators ${sessions.online} connected, or not all ${n} leaves reached them` : `only ${sessions.online} of ${n} nodes connected`;
    send({ result: { nodes: n, ok: false, error: `${what} within ${args['connect-timeout-s']} s`, connectS } });
    return;
  }
  // Let the last hellos' acks and first heartbeats settle before reading memory and CPU.
  await sleep(Math.min(3000, 2 * heartbeatIntervalMs));
  const rssConnected = rssMiB();
  send({ progress: { phase: 'connected', connectS: Number(connectS.toFixed(1)), rssConnectedMiB: Math.round(rssConnected) } });
  send({ idle: true });
  const cpuStart = process.cpuUsage();
  const idleStart = process.hrtime.bigint();
  await sleep(num('idle-s') * 1000);
  const idleCpu = process.cpuUsage(cpuStart);
  const idleWallS = Number(process.hrtime.bigint() - idleStart) / 1e9;
  send({ idle: false });
  send({ progress: { phase: 'idle', heartbeatCpu: Number(((idleCpu.user + idleCpu.system) / 1e6 / idleWallS).toFixed(3)) } });

  /**
   * With aggregators: a search, after which each aggregator sends train requests to the leaves it
   * matched (one dataset per subtree); run before the first round and again before the last, once
   * every leaf is back. Returns how long it took and how many leaves the subtrees hold.
   */
  const searchLeaves = async () => {
    const started = Date.now();
    let leaves = 0;
    for await (const outcome of federation.search(server.nodes().map((node) => node.id), ['scale'], { experimentId: 'scale', timeoutMs: roundTimeoutMs })) {
      if (outcome.ok) leaves += Number(/: (\d+) node\(s\)$/.exec(outcome.value.datasets[0]?.name ?? '')?.[1] ?? 0);
    }
    const searched = { searchMs: Date.now() - started, searchedLeaves: leaves };
    send({ progress: { phase: 'searched', ...searched } });
    return searched;
  };
  const search = hierarchical ? await searchLeaves() : undefined;
  let expectedSamples = 0;
  for (let i = 0; i < n; i += 1) expectedSamples += leafSamples(i);

  const layout = createLayout([{ name: 'w', shape: [modelFloats] }]);
  const global = new Float32Array(modelFloats).map((_, i) => Math.sin(i));
  let roundNumber = 0;
  /**
   * One round to every online node (flat) or aggregator: latency, leaves whose reply was aggregated
   * and failures by code. An aggregator's reply stands for "aggregator of X/Y node(s)" leaves.
   */
  const round = async () => {
    roundNumber += 1;
    const nodeIds = server.nodes().filter((node) => node.state === 'online').map((node) => node.id);
    const plan = { canonicalJson: '{}', sha256: '0'.repeat(64), kind: 'scale-bench', name: 'scale' };
    const tasks = nodeIds.map((nodeId) => ({
      nodeId, datasetId: hierarchical ? `subtree:${nodeId}` : 'scale', round: roundNumber, plan, layout, weights: global, aux: {}, args: {}, strategyName: 'FedAvg',
    }));
    const started = process.hrtime.bigint();
    const sum = new Float64Array(modelFloats);
    let weightSum = 0;
    let aggregated = 0;
    const failures = {};
    const examples = {};
    // The root waits for its aggregators longer than they wait for their leaves.
    const timeoutMs = hierarchical ? roundTimeoutMs + 30_000 : roundTimeoutMs;
    for await (const outcome of federation.train(tasks, { experimentId: 'scale', timeoutMs })) {
      if (!outcome.ok) {
        failures[outcome.code] = (failures[outcome.code] ?? 0) + 1;
        examples[outcome.code] ??= outcome.message;
        continue;
      }
      const { weights, sampleCount, backend } = outcome.value;
      const weight = Number(sampleCount);
      for (let i = 0; i < modelFloats; i += 1) sum[i] += weight * weights[i];
      weightSum += weight;
      aggregated += hierarchical ? Number(/^aggregator of (\d+)\//.exec(backend)?.[1] ?? 0) : 1;
    }
    const roundMs = Number(process.hrtime.bigint() - started) / 1e6;
    // Every node adds 0.001 to the global model: the weighted mean must be global + 0.001.
    let maxError = 0;
    for (let i = 0; i < modelFloats; i += 1) maxError = Math.max(maxError, Math.abs(sum[i] / weightSum - (global[i] + 0.001)));
    const sent = hierarchical ? n : nodeIds.length;
    return {
      sent,
      ...(hierarchical ? { aggregators: nodeIds.length } : {}),
      aggregated,
      // All N leaves answered: their sample counts (the FedAvg weights) add up to the leaves' own.
      ...(aggregated === n ? { weightsComplete: weightSum === expectedSamples } : {}),
      failures,
      ...(aggregated < sent || Object.keys(failures).length > 0 ? { examples } : {}),
      roundMs: Math.round(roundMs),
      meanOk: aggregated > 0 && maxError < 1e-5,
    };
  };
  const complete = (r) => r !== undefined && r.aggregated === n && r.weightsComplete === true && r.meanOk;

  send({ progress: { phase: 'first round sent' } });
  const first = await round();
  send({ progress: { phase: 'first round done', firstRound: first } });
  const rssAfterRound = rssMiB();

  // Churn: rounds back to back while a fraction of the nodes leaves and comes back each period.
  const churnRounds = [];
  const disconnectsBefore = sessions.disconnects;
  if (num('churn-s') > 0) {
    send({ churn: true });
    const churnEnd = Date.now() + num('churn-s') * 1000;
    while (Date.now() < churnEnd) {
      churnRounds.push(await round());
      send({ progress: { phase: `churn round ${churnRounds.length} done`, round: churnRounds.at(-1) } });
      await sleep(Math.min(1000, Math.max(0, churnEnd - Date.now())));
    }
    send({ churn: false });
  }
  // Flat: the root's own sessions churned. Hierarchical: the leaves did (their aggregators report
  // them), and none of the root's aggregator sessions may have dropped.
  const churnDisconnects = sessions.disconnects - disconnectsBefore;
  const back = await waitAllLeaves(connectTimeoutMs);
  send({ progress: { phase: back ? 'all back after churn' : 'not all back after churn' } });
  const lastSearch = back && hierarchical ? await searchLeaves() : undefined;
  const last = back ? await round() : undefined;

  const churnLost = churnRounds.reduce((sum, r) => sum + (r.sent - r.aggregated), 0);
  const allowed = hierarchical ? [] : ['UNAVAILABLE', 'NODE_OFFLINE'];
  const churnOk = churnRounds.every((r) => r.meanOk && Object.keys(r.failures).every((code) => allowed.includes(code)));
  const ok = complete(first) && churnOk && back && complete(last);
  send({
    result: {
      nodes: n,
      ok,
      ...(ok ? {} : { error: !back ? `not all ${n} nodes back after churn` : `a round lost replies of connected nodes, failed at ${hierarchical ? 'an aggregator' : 'a node'}, or aggregated a wrong mean` }),
      connectS: Number(connectS.toFixed(1)),
      rssBeforeMiB: Math.round(rssBefore),
      rssConnectedMiB: Math.round(rssConnected),
      // Per session the root holds: a node (flat) or an aggregator (a few sessions: within the noise
      // of a full GC, so it can come out negative; the aggregators report their own per leaf).
      [hierarchical ? 'rssPerAggregatorKiB' : 'rssPerNodeKiB']: Math.round(((rssConnected - rssBefore) * 1024) / (hierarchical ? aggregatorCount : n)),
      rssAfterRoundMiB: Math.round(rssAfterRound),
      maxRssMiB: maxRssMiB(),
      modelBytes: modelFloats * 4,
      heartbeatMs: heartbeatIntervalMs,
      heartbeatCpu: Number(((idleCpu.user + idleCpu.system) / 1e6 / idleWallS).toFixed(3)),
      ...(hierarchical ? { ...search, lastSearch: lastSearch ?? null } : {}),
      firstRound: first,
      churnRounds: churnRounds.length,
      churnDisconnects,
      churnRepliesAggregated: churnRounds.reduce((sum, r) => sum + r.aggregated, 0),
      churnRepliesLost: churnLost,
      churnRoundMsMedian: median(churnRounds.map((r) => r.roundMs)),
      lastRound: last ?? null,
    },
  });
  await server.stop();
  process.exit(0);
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**** aggregator: a real intermediate aggregator between the root and its leaves ****/
async function aggregatorMain() {
  const { startIntermediateAggregator } = require('../../packages/researcher/dist/index.js');
  const index = num('index');
  const expected = num('count');
  const heartbeatIntervalMs = num('heartbeat-ms');
  const rssBefore = rssMiB();
  const aggregator = await startIntermediateAggregator({
    upstream: { address: `127.0.0.1:${num('port')}`, nodeId: `aggregator-${index}`, enrolmentToken: TOKEN, logger: silent, heartbeatIntervalMs, backoff: { baseMs: 200, capMs: 5000 } },
    downstream: { enrolmentTokens: [TOKEN], heartbeatIntervalMs, logger: silent, helloTimeoutMs: 60_000 },
    weighting: 'dataset_size',
    leafTimeoutMs: num('round-timeout-s') * 1000,
  });
  const leaves = onlineCounter(aggregator.server);
  // Main sums the aggregators' counts to know when every leaf is online; a count is sent once a
  // second when it changed, and at once when it reaches this aggregator's share.
  let reported = -1;
  const report = () => {
    if (leaves.online !== reported) send({ leavesOnline: (reported = leaves.online) });
  };
  setInterval(report, 1000).unref();
  aggregator.server.on('nodeOnline', () => leaves.online === expected && report());
  send({ listening: aggregator.port });

  const measured = {};
  let idleStart;
  readCommands((line) => {
    if (line === 'idle') idleStart = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
    else if (line === 'busy' && idleStart) {
      const cpu = process.cpuUsage(idleStart.cpu);
      const wallS = Number(process.hrtime.bigint() - idleStart.at) / 1e9;
      measured.heartbeatCpu = Number(((cpu.user + cpu.system) / 1e6 / wallS).toFixed(3));
      send({ measured });
    } else if (line === 'report') send({ maxRssMiB: maxRssMiB(), leafDisconnects: leaves.disconnects });
  });
  if (await leaves.waitFor(expected, num('connect-timeout-s') * 1000)) {
    await sleep(Math.min(3000, 2 * heartbeatIntervalMs));
    const rssConnected = rssMiB();
    Object.assign(measured, { rssBeforeMiB: Math.round(rssBefore), rssConnectedMiB: Math.round(rssConnected), rssPerNodeKiB: Math.round(((rssConnected - rssBefore) * 1024) / expected) });
    send({ measured });
  }
}

/**** worker: `count` node clients (leaf i dials ports[i mod K]), churning on request ****/
async function workerMain() {
  const { NodeClient, packTensors, float32Tensor, asFloat32Array } = require('../../packages/transport/dist/index.js');
  const first = num('first');
  const count = num('count');
  const ports = args.ports.split(',');
  const handlerFor = (index) => async (request, tensors) => {
    // Under an aggregator, a search finds the leaf's one dataset (its rows = its FedAvg weight).
    if (request.search) {
      return { reply: { search: { datasets: [{ id: 'scale', name: 'scale', tags: request.search.tags, dataType: 'csv', sampleCount: leafSamples(index) }] } } };
    }
    const train = request.train;
    if (!train?.globalWeights) throw new Error('scale worker: only search and train requests are served');
    const [tensor] = tensors.get(train.globalWeights.transferId) ?? [];
    const values = asFloat32Array(tensor).map((v) => v + 0.001);
    const payload = packTensors([float32Tensor(tensor.name, tensor.shape, values)]);
    const sampleCount = leafSamples(index);
    return { reply: { train: { datasetId: train.datasetId, round: train.round, sampleCount, trainSize: sampleCount, weights: payload.set, isDelta: false } }, tensors: [payload] };
  };
  const clients = new Map();
  const open = (index) => {
    const nodeId = `scale-${index}`;
    const client = new NodeClient({
      address: `127.0.0.1:${ports[index % ports.length]}`, nodeId, enrolmentToken: TOKEN, handler: handlerFor(index), logger: silent, heartbeatIntervalMs: num('heartbeat-ms'),
      backoff: { baseMs: 200, capMs: 5000 },
    });
    clients.set(index, client);
    return client.start().catch((error) => send({ error: `${nodeId}: ${error.message}` }));
  };
  // Connect in small batches: 10,000 simultaneous TLS-less handshakes still queue on one event loop.
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, k) => open(first + i + k)));
  }

  // Churn: each period, churn-fraction of this worker's nodes disconnect, one at a time evenly
  // spread, and reconnect after a pause (a new session with the same node id).
  let churnTimer;
  const periodMs = num('churn-period-s') * 1000;
  const perPeriod = Math.max(1, Math.round(num('churn-fraction') * count));
  const churnOne = () => {
    const index = first + Math.floor(Math.random() * count);
    // A node already away (waiting to come back) is not stopped twice.
    if (!clients.has(index)) return;
    clients.get(index).stop();
    clients.delete(index);
    setTimeout(() => void open(index), Math.min(2000, periodMs / 4));
  };
  readCommands((line) => {
    clearInterval(churnTimer);
    if (line === 'churn') churnTimer = setInterval(churnOne, periodMs / perPeriod);
  });
}

const roles = { main, researcher: researcherMain, aggregator: aggregatorMain, worker: workerMain };
const role = roles[args.role];
if (!role) throw new TypeError(`scale.mjs: --role must be one of ${Object.keys(roles).join(', ')}`);
role().catch((error) => {
  process.stderr.write(`scale.mjs (${args.role}): ${error.stack ?? error}\n`);
  process.exit(2);
});
