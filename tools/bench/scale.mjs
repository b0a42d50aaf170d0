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
//       [--round-timeout-s 120] [--max-s 900]
//
// Each size runs in a fresh researcher process (started with --expose-gc, so RSS is read after a
// full collection) and fresh workers. One JSON line per size on stdout:
//   rssPerNodeKiB    (researcher RSS with N sessions − RSS before any) / N
//   roundMs          a round to all N nodes: request out, every reply in and summed (FedAvg)
//   heartbeatCpu     researcher CPU seconds per second while idle with N sessions (heartbeats only)
//   churnRounds      rounds run while nodes churn: replies aggregated, nodes lost mid-round
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
    'model-floats': { type: 'string', default: '1024' },
    'heartbeat-ms': { type: 'string', default: '10000' },
    'idle-s': { type: 'string', default: '10' },
    'churn-fraction': { type: 'string', default: '0.1' },
    'churn-period-s': { type: 'string', default: '60' },
    'churn-s': { type: 'string', default: '60' },
    'connect-timeout-s': { type: 'string', default: '120' },
    'round-timeout-s': { type: 'string', default: '120' },
    'max-s': { type: 'string', default: '900' },
    // Worker-only.
    port: { type: 'string' },
    first: { type: 'string' },
    count: { type: 'string' },
  },
});
const num = (name) => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`scale.mjs: --${name} must be a non-negative number, got "${args[name]}"`);
  return value;
};

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

/** Spawns this script in `role` with a raised descriptor limit (see the header). */
function spawnRole(role, extra, nodeFlags = []) {
  const argv = [process.execPath, ...nodeFlags, SELF, '--role', role, ...extra].map((a) => `'${a}'`).join(' ');
  return spawn('sh', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${argv}`], { stdio: ['pipe', 'pipe', 'inherit'] });
}

/**** main: one researcher and its workers per size ****/
async function main() {
  const sizes = args.nodes.split(',').map((s) => Number(s));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new TypeError(`scale.mjs: --nodes must list positive integers, got "${args.nodes}"`);
  const deadline = Date.now() + num('max-s') * 1000;
  const passOn = ['model-floats', 'heartbeat-ms', 'idle-s', 'churn-fraction', 'churn-period-s', 'churn-s', 'connect-timeout-s', 'round-timeout-s'].flatMap(
    (name) => [`--${name}`, String(args[name])],
  );
  const results = [];
  for (const n of sizes) {
    const budgetS = Math.max(1, Math.floor((deadline - Date.now()) / 1000));
    const result = await runSize(n, Math.min(num('workers'), n), passOn, budgetS);
    results.push(result);
    send(result);
    if (!result.ok) break;
  }
  const largestOk = results.filter((r) => r.ok).map((r) => r.nodes);
  send({ summary: true, largestHeld: largestOk.length ? Math.max(...largestOk) : 0, brokeAt: results.find((r) => !r.ok)?.nodes ?? null });
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

async function runSize(n, workerCount, passOn, budgetS) {
  const researcher = spawnRole('researcher', ['--nodes', String(n), ...passOn], ['--expose-gc']);
  const workers = [];
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const stopAll = () => {
    for (const child of [researcher, ...workers]) if (child.exitCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(() => finished({ nodes: n, ok: false, error: `did not finish within the time left (${budgetS} s)` }), budgetS * 1000);
  researcher.on('exit', (code) => finished({ nodes: n, ok: false, error: `researcher exited (${code}) before reporting` }));
  readMessages(researcher, (message) => {
    if (message.listening) {
      const per = Math.ceil(n / workerCount);
      for (let w = 0; w < workerCount; w += 1) {
        const first = w * per;
        const count = Math.min(per, n - first);
        if (count <= 0) break;
        const worker = spawnRole('worker', ['--port', String(message.listening), '--first', String(first), '--count', String(count), ...passOn]);
        readMessages(worker, (m) => m.error && process.stderr.write(`worker ${w}: ${m.error}\n`));
        worker.on('exit', (code) => code !== 0 && code !== null && finished({ nodes: n, ok: false, error: `worker ${w} exited with ${code}` }));
        workers.push(worker);
      }
    } else if (message.churn !== undefined) {
      for (const worker of workers) worker.stdin.write(`${message.churn ? 'churn' : 'calm'}\n`);
    } else if (message.result) {
      finished({ ...message.result, workers: workers.length });
    }
  });
  const result = await done;
  clearTimeout(timer);
  stopAll();
  return result;
}

/**** researcher: the server, its federation, the measurements ****/
async function researcherMain() {
  const { ResearcherServer } = require('../../packages/transport/dist/index.js');
  const { createTransportFederation } = require('../../packages/researcher/dist/index.js');
  const { createLayout } = require('../../packages/strategy/dist/index.js');
  const n = num('nodes');
  const modelFloats = num('model-floats');
  const heartbeatIntervalMs = num('heartbeat-ms');
  const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
  const rssMiB = () => {
    globalThis.gc?.();
    globalThis.gc?.();
    return process.memoryUsage.rss() / MiB;
  };

  const rssBefore = rssMiB();
  const server = new ResearcherServer({ enrolmentTokens: [TOKEN], heartbeatIntervalMs, logger: silent, helloTimeoutMs: 60_000 });
  const federation = createTransportFederation(server);
  let online = 0;
  let disconnects = 0;
  let onlineWaiters = [];
  const wakeWaiters = () => {
    onlineWaiters = onlineWaiters.filter((waiter) => !waiter());
  };
  server.on('nodeOnline', () => {
    online += 1;
    wakeWaiters();
  });
  server.on('nodeOffline', () => {
    disconnects += 1;
    online -= 1;
  });
  const waitOnline = (count, timeoutMs) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const check = () => (online >= count ? (clearTimeout(timer), resolve(true), true) : false);
      if (!check()) onlineWaiters.push(check);
    });
  const port = await server.start();
  send({ listening: port });

  const connectStarted = Date.now();
  const connected = await waitOnline(n, num('connect-timeout-s') * 1000);
  const connectS = (Date.now() - connectStarted) / 1000;
  if (!connected) {
    send({ result: { nodes: n, ok: false, error: `only ${online} of ${n} nodes connected within ${args['connect-timeout-s']} s`, connectS } });
    return;
  }
  // Let the last hellos' acks and first heartbeats settle before reading memory and CPU.
  await sleep(Math.min(3000, 2 * heartbeatIntervalMs));
  const rssConnected = rssMiB();
  const cpuStart = process.cpuUsage();
  const idleStart = process.hrtime.bigint();
  await sleep(num('idle-s') * 1000);
  const idleCpu = process.cpuUsage(cpuStart);
  const idleWallS = Number(process.hrtime.bigint() - idleStart) / 1e9;

  const layout = createLayout([{ name: 'w', shape: [modelFloats] }]);
  const global = new Float32Array(modelFloats).map((_, i) => Math.sin(i));
  let roundNumber = 0;
  /** One round to every online node: returns latency, replies aggregated and failures by code. */
  const round = async () => {
    roundNumber += 1;
    const nodeIds = server.nodes().filter((node) => node.state === 'online').map((node) => node.id);
    const plan = { canonicalJson: '{}', sha256: '0'.repeat(64), kind: 'scale-bench', name: 'scale' };
    const tasks = nodeIds.map((nodeId) => ({
      nodeId, datasetId: 'scale', round: roundNumber, plan, layout, weights: global, aux: {}, args: {}, strategyName: 'FedAvg',
    }));
    const started = process.hrtime.bigint();
    const sum = new Float64Array(modelFloats);
    let weightSum = 0;
    let aggregated = 0;
    const failures = {};
    const examples = {};
    for await (const outcome of federation.train(tasks, { experimentId: 'scale', timeoutMs: num('round-timeout-s') * 1000 })) {
      if (!outcome.ok) {
        failures[outcome.code] = (failures[outcome.code] ?? 0) + 1;
        examples[outcome.code] ??= outcome.message;
        continue;
      }
      const { weights, sampleCount } = outcome.value;
      const weight = Number(sampleCount);
      for (let i = 0; i < modelFloats; i += 1) sum[i] += weight * weights[i];
      weightSum += weight;
      aggregated += 1;
    }
    const roundMs = Number(process.hrtime.bigint() - started) / 1e6;
    // Every node adds 0.001 to the global model: the weighted mean must be global + 0.001.
    let maxError = 0;
    for (let i = 0; i < modelFloats; i += 1) maxError = Math.max(maxError, Math.abs(sum[i] / weightSum - (global[i] + 0.001)));
    return { sent: nodeIds.length, aggregated, failures, ...(aggregated < nodeIds.length ? { examples } : {}), roundMs: Math.round(roundMs), meanOk: aggregated > 0 && maxError < 1e-5 };
  };

  const first = await round();
  const rssAfterRound = rssMiB();

  // Churn: rounds back to back while a fraction of the nodes leaves and comes back each period.
  const churnRounds = [];
  if (num('churn-s') > 0) {
    disconnects = 0;
    send({ churn: true });
    const churnEnd = Date.now() + num('churn-s') * 1000;
    while (Date.now() < churnEnd) {
      churnRounds.push(await round());
      await sleep(Math.min(1000, Math.max(0, churnEnd - Date.now())));
    }
    send({ churn: false });
  }
  const churnDisconnects = disconnects;
  const back = await waitOnline(n, num('connect-timeout-s') * 1000);
  const last = back ? await round() : undefined;

  const churnLost = churnRounds.reduce((sum, r) => sum + (r.sent - r.aggregated), 0);
  const churnOk = churnRounds.every((r) => r.meanOk && Object.keys(r.failures).every((code) => code === 'UNAVAILABLE' || code === 'NODE_OFFLINE'));
  const ok = first.aggregated === n && first.meanOk && churnOk && back && last?.aggregated === n && last.meanOk;
  send({
    result: {
      nodes: n,
      ok,
      ...(ok ? {} : { error: !back ? `only ${online} of ${n} nodes back after churn` : 'a round lost replies of connected nodes or aggregated a wrong mean' }),
      connectS: Number(connectS.toFixed(1)),
      rssBeforeMiB: Math.round(rssBefore),
      rssConnectedMiB: Math.round(rssConnected),
      rssPerNodeKiB: Math.round(((rssConnected - rssBefore) * 1024) / n),
      rssAfterRoundMiB: Math.round(rssAfterRound),
      maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      modelBytes: modelFloats * 4,
      heartbeatMs: heartbeatIntervalMs,
      heartbeatCpu: Number(((idleCpu.user + idleCpu.system) / 1e6 / idleWallS).toFixed(3)),
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

/**** worker: `count` node clients, churning on request ****/
async function workerMain() {
  const { NodeClient, packTensors, float32Tensor, asFloat32Array } = require('../../packages/transport/dist/index.js');
  const first = num('first');
  const count = num('count');
  const address = `127.0.0.1:${num('port')}`;
  const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
  const handlerFor = (index) => async (request, tensors) => {
    const train = request.train;
    if (!train?.globalWeights) throw new Error('scale worker: only train requests are served');
    const [tensor] = tensors.get(train.globalWeights.transferId) ?? [];
    const values = asFloat32Array(tensor).map((v) => v + 0.001);
    const payload = packTensors([float32Tensor(tensor.name, tensor.shape, values)]);
    const sampleCount = 1 + (index % 7);
    return { reply: { train: { datasetId: train.datasetId, round: train.round, sampleCount, trainSize: sampleCount, weights: payload.set, isDelta: false } }, tensors: [payload] };
  };
  const clients = new Map();
  const open = (index) => {
    const nodeId = `scale-${index}`;
    const client = new NodeClient({
      address, nodeId, enrolmentToken: TOKEN, handler: handlerFor(index), logger: silent, heartbeatIntervalMs: num('heartbeat-ms'),
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
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text) => {
    input += text;
    const lines = input.split('\n');
    input = lines.pop();
    for (const line of lines) {
      clearInterval(churnTimer);
      if (line === 'churn') churnTimer = setInterval(churnOne, periodMs / perPeriod);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

const roles = { main, researcher: researcherMain, worker: workerMain };
const role = roles[args.role];
if (!role) throw new TypeError(`scale.mjs: --role must be one of ${Object.keys(roles).join(', ')}`);
role().catch((error) => {
  process.stderr.write(`scale.mjs (${args.role}): ${error.stack ?? error}\n`);
  process.exit(2);
});
