// End-to-end round benchmark: the same federation round, plain FedAvg and secure FedAvg (SecAgg+),
// side by side, through the real researcher round (packages/researcher's runRound, what Experiment
// runs each round, over createTransportFederation and the real ResearcherServer) and real gRPC on
// loopback. The N nodes are real NodeClient sessions spread over a few worker processes (as in
// tools/bench/scale.mjs); each answers train with a fixed synthetic update instead of training, and
// takes part in the secure protocol with @fedbiomed/secagg's SecAggClient exactly as the node's
// handlers (packages/node/src/handlers/secure-aggregation.ts, maskedDelta in handlers/train.ts) do:
// keys, encrypted shares, masked INT32 update, revealed shares.
//
//   npx tsc -b tsconfig.build.json && node --expose-gc tools/bench/secagg-round.mjs
//       [--sizes 10x100000,50x100000,...] [--repeats 3] [--workers 4] [--json out.json] [--report out.md]
//
// Per size: one researcher (this process) and fresh workers; a warm-up round of each kind, then
// `repeats` pairs of rounds, plain and secure alternating. Round time is the wall time of runRound,
// from the first request out to the new global weights (secure: setup, share exchange, masked
// training replies, unmasking). Bytes are what the researcher process read and wrote through
// syscalls during the round (/proc/self/io rchar + wchar: the loopback sockets, gRPC framing
// included). Every secure round's result is checked against the plain round's within the
// quantisation bound (plus float32 rounding of the new weights). One JSON line per size on stdout.
import { spawn } from 'node:child_process';
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');
const TOKEN = 'secagg-round-bench';
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    sizes: { type: 'string', default: '10x100000,50x100000,100x100000,10x1000000,50x1000000,100x1000000' },
    repeats: { type: 'string', default: '3' },
    workers: { type: 'string', default: '4' },
    json: { type: 'string' },
    report: { type: 'string' },
    // Worker-only.
    port: { type: 'string' },
    first: { type: 'string' },
    count: { type: 'string' },
  },
});

/** The synthetic update of node `index`: a small, node-dependent delta, the same every round. */
function syntheticDelta(index, params) {
  const delta = new Float32Array(params);
  for (let j = 0; j < params; j++) delta[j] = (((j * 7 + index * 3) % 13) - 6) * 1e-3;
  return delta;
}
/** Train rows of node `index` (its FedAvg weight). */
const trainRows = (index) => 50 + (index % 17);

/** Bytes this process read and wrote through syscalls (sockets included), or NaN off Linux. */
function ioBytes() {
  try {
    const io = readFileSync('/proc/self/io', 'utf8');
    const field = (name) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1]);
    return field('rchar') + field('wchar');
  } catch {
    return Number.NaN;
  }
}

/**** main: the researcher, one size after another ****/
async function main() {
  const { ResearcherServer } = require(path.join(ROOT, 'packages/transport/dist/index.js'));
  const { createTransportFederation } = require(path.join(ROOT, 'packages/researcher/dist/index.js'));
  const { runRound } = require(path.join(ROOT, 'packages/researcher/dist/round-runner.js'));
  const { FedAvg, createLayout } = require(path.join(ROOT, 'packages/strategy/dist/index.js'));
  const sizes = args.sizes.split(',').map((spec) => {
    const [nodes, params] = spec.split('x').map(Number);
    if (!Number.isInteger(nodes) || nodes < 2 || !Number.isInteger(params) || params < 1) throw new TypeError(`secagg-round.mjs: --sizes takes NODESxPARAMS items, got "${spec}"`);
    return { nodes, params };
  });
  const repeats = Number(args.repeats);
  const rows = [];
  for (const { nodes, params } of sizes) {
    const server = new ResearcherServer({ enrolmentTokens: [TOKEN], heartbeatIntervalMs: 30_000, logger: silent, helloTimeoutMs: 120_000, maxTransferBytes: 2 ** 31 - 1 });
    const federation = createTransportFederation(server);
    let online = 0;
    let wake;
    server.on('nodeOnline', () => {
      online += 1;
      if (online >= nodes) wake?.();
    });
    const port = await server.start();
    const allOnline = new Promise((resolve) => (wake = resolve));
    const workerCount = Math.min(Number(args.workers), nodes);
    const per = Math.ceil(nodes / workerCount);
    const workers = [];
    for (let w = 0; w < workerCount && w * per < nodes; w++) {
      const worker = spawn(process.execPath, [SELF, '--role', 'worker', '--port', String(port), '--first', String(w * per), '--count', String(Math.min(per, nodes - w * per))], {
        stdio: ['pipe', 'inherit', 'inherit', 'ipc'],
      });
      workers.push(worker);
    }
    await allOnline;

    /** CPU milliseconds all node workers have used so far (each answers over its IPC channel). */
    const workersCpuMs = async () => {
      const each = await Promise.all(workers.map((worker) => new Promise((resolve) => {
        worker.once('message', (usage) => resolve((usage.user + usage.system) / 1000));
        worker.send('cpu');
      })));
      return each.reduce((a, b) => a + b, 0);
    };
    const phases = {};
    const timedFederation = timePhases(federation, phases);
    const layout = createLayout([{ name: 'w', shape: [params] }]);
    const global = new Float32Array(params).map((_, i) => Math.sin(i) * 0.5);
    const participants = server.nodes().map((node) => ({ nodeId: node.id, nodeName: node.id, dataset: { id: `bench-${node.id}`, sampleCount: 1000 } }));
    const neighbours = Math.min(nodes - 1, 2 * Math.ceil(Math.log2(nodes)));
    let roundNumber = 0;
    const round = async (secure) => {
      roundNumber += 1;
      globalThis.gc?.();
      for (const key of Object.keys(phases)) delete phases[key];
      const nodesCpuBefore = await workersCpuMs();
      const bytesBefore = ioBytes();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const output = await runRound({
        round: roundNumber,
        experimentId: 'secagg-round-bench',
        federation: timedFederation,
        strategy: new FedAvg(),
        plan: { canonicalJson: '{}', sha256: '0'.repeat(64), kind: 'secagg-round-bench', name: 'bench' },
        layout,
        weights: global,
        participants,
        args: { epochs: 1 },
        ...(secure && { secureAggregation: { settings: { clipRange: 1, neighbours }, weighting: 'dataset_size' } }),
        minNodes: nodes,
        timeoutMs: 600_000,
        publish: () => undefined,
        now: () => Date.now(),
      });
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const bytes = ioBytes() - bytesBefore;
      const nodesCpuMs = (await workersCpuMs()) - nodesCpuBefore;
      const setupMs = (phases.setup ?? 0) + (phases.shareKeys ?? 0);
      const trainMs = phases.train ?? 0;
      const unmaskMs = phases.unmask ?? 0;
      return { ms, setupMs, trainMs, unmaskMs, restMs: ms - setupMs - trainMs - unmaskMs, bytes, researcherCpuMs: (cpu.user + cpu.system) / 1000, nodesCpuMs, weights: output.weights, result: output.result };
    };
    // Warm-up (JIT, connections' first transfers), not counted.
    await round(false);
    await round(true);
    const plain = [];
    const secure = [];
    let maxError = 0;
    let bound = 0;
    for (let r = 0; r < repeats; r++) {
      const p = await round(false);
      const s = await round(true);
      const summary = s.result.secureAggregation;
      if (summary === undefined || summary.survivors.length !== nodes) throw new Error(`secure round ${s.result.round} did not count every node`);
      // The new weights are float32: on top of the quantisation bound, one rounding of each result.
      let error = 0;
      let ulp = 0;
      for (let i = 0; i < params; i++) {
        error = Math.max(error, Math.abs(s.weights[i] - p.weights[i]));
        ulp = Math.max(ulp, Math.abs(p.weights[i]) * 2 ** -23);
      }
      maxError = Math.max(maxError, error);
      bound = summary.errorBound + ulp;
      plain.push(p);
      secure.push(s);
      p.weights = s.weights = undefined;
    }
    const med = (runs, key) => median(runs.map((run) => run[key]));
    const row = {
      nodes,
      params,
      workers: workers.length,
      neighbours,
      repeats,
      plainMs: med(plain, 'ms'),
      secureMs: med(secure, 'ms'),
      ratio: med(secure, 'ms') / med(plain, 'ms'),
      plainRunsMs: plain.map((run) => Math.round(run.ms)),
      secureRunsMs: secure.map((run) => Math.round(run.ms)),
      plainResearcherCpuMs: med(plain, 'researcherCpuMs'),
      secureResearcherCpuMs: med(secure, 'researcherCpuMs'),
      plainNodesCpuMs: med(plain, 'nodesCpuMs'),
      secureNodesCpuMs: med(secure, 'nodesCpuMs'),
      // Where the secure round's time goes (medians): key and share exchange, training requests
      // until the last masked reply is folded in, share reveal, and the rest (unmasking, FedAvg).
      securePhasesMs: { setup: med(secure, 'setupMs'), train: med(secure, 'trainMs'), unmask: med(secure, 'unmaskMs'), rest: med(secure, 'restMs') },
      plainPhasesMs: { train: med(plain, 'trainMs'), rest: med(plain, 'restMs') },
      plainBytes: med(plain, 'bytes'),
      secureBytes: med(secure, 'bytes'),
      maxError,
      bound,
      withinBound: maxError <= bound,
    };
    rows.push(row);
    send(row);
    for (const worker of workers) worker.kill('SIGTERM');
    await server.stop();
  }
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify({ rows }, null, 2));
  if (args.report !== undefined) writeFileSync(args.report, report(rows));
  process.exit(rows.every((row) => row.withinBound) ? 0 : 1);
}

/**
 * The federation with each protocol step timed (wall ms from the call to the last outcome, into
 * `phases`): what runRound calls, unchanged otherwise.
 */
function timePhases(federation, phases) {
  const timed = (name, iterable) => ({
    async *[Symbol.asyncIterator]() {
      const started = performance.now();
      try {
        yield* iterable;
      } finally {
        phases[name] = (phases[name] ?? 0) + performance.now() - started;
      }
    },
  });
  const channel = federation.secureAggregation;
  const secureAggregation = {
    setup: (...call) => timed('setup', channel.setup(...call)),
    shareKeys: (...call) => timed('shareKeys', channel.shareKeys(...call)),
    unmask: (...call) => timed('unmask', channel.unmask(...call)),
  };
  return new Proxy(federation, {
    get(target, key) {
      if (key === 'train') return (...call) => timed('train', target.train(...call));
      if (key === 'secureAggregation') return secureAggregation;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The Markdown section for docs/benchmarks/secure-aggregation.md. */
function report(rows) {
  const cpu = (() => {
    try {
      return execSync('lscpu', { encoding: 'utf8' }).split('\n').find((line) => line.startsWith('Model name'))?.split(':')[1]?.trim();
    } catch {
      return os.cpus()[0]?.model;
    }
  })();
  const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
  const lines = rows.map(
    (r) =>
      `| ${r.nodes} | ${r.params.toLocaleString('en')} | ${r.neighbours} | ${r.repeats} | ${fmt(r.plainMs)} | ${fmt(r.secureMs)} | **${r.ratio.toFixed(2)}×** | ${r.plainRunsMs.join(', ')} / ${r.secureRunsMs.join(', ')} | ${fmt(r.plainResearcherCpuMs)} / ${fmt(r.secureResearcherCpuMs)} | ${r.plainNodesCpuMs === undefined ? '–' : `${fmt(r.plainNodesCpuMs)} / ${fmt(r.secureNodesCpuMs)}`} | ${r.securePhasesMs === undefined ? '–' : `${fmt(r.securePhasesMs.setup)} / ${fmt(r.securePhasesMs.train)} (${fmt(r.plainPhasesMs.train)}) / ${fmt(r.securePhasesMs.unmask)} / ${fmt(r.securePhasesMs.rest)} (${fmt(r.plainPhasesMs.rest)})`} | ${mb(r.plainBytes)} / ${mb(r.secureBytes)} | ${r.maxError.toExponential(1)} ≤ ${r.bound.toExponential(1)} |`,
  );
  return `Generated by \`node --expose-gc tools/bench/secagg-round.mjs\` (after \`npx tsc -b tsconfig.build.json\`), ${new Date().toISOString().slice(0, 16)} UTC.
CPU: ${cpu}, ${os.cpus().length} cores **shared with other jobs** (load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the end), Node ${process.version}. Researcher and the node worker processes share these cores.

| nodes | parameters | k | pairs | plain round (ms) | secure round (ms) | ratio | runs plain / secure (ms) | researcher CPU plain / secure (ms) | all nodes' CPU plain / secure (ms) | secure phases: setup / train (plain) / reveal / rest (plain) (ms) | MB plain / secure | max \\|secure − plain\\| ≤ bound |
|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---|
${lines.join('\n')}
`;
}

/**** worker: `count` node sessions ****/
async function workerMain() {
  const { NodeClient, packTensors, float32Tensor, asFloat32Array } = require(path.join(ROOT, 'packages/transport/dist/index.js'));
  const { SecAggClient, MASKED_UPDATE_TENSOR } = require(path.join(ROOT, 'packages/secagg/dist/index.js'));
  const first = Number(args.first);
  const count = Number(args.count);
  const address = `127.0.0.1:${args.port}`;
  const handlerFor = (index, nodeId) => {
    /** This node's secure-aggregation rounds, by session id (the node keeps them in SecAggSessions). */
    const sessions = new Map();
    const session = (sessionId) => {
      const found = sessions.get(sessionId);
      if (found === undefined) throw new Error(`no secure-aggregation session ${sessionId}`);
      return found;
    };
    return async (request, tensors) => {
      if (request.secaggSetup) {
        const wire = request.secaggSetup.parameters;
        const parameters = { sessionId: wire.sessionId, participants: [...wire.participants], threshold: wire.threshold, neighbours: wire.neighbours, clipRange: wire.clipRange, weightBounds: { ...wire.weightBounds } };
        const client = new SecAggClient(nodeId, parameters);
        sessions.clear();
        sessions.set(wire.sessionId, client);
        const keys = client.advertiseKeys();
        return { reply: { secaggSetup: { keys: { nodeId, cipherPublicKey: Buffer.from(keys.cipherPublicKey), maskPublicKey: Buffer.from(keys.maskPublicKey) } } } };
      }
      if (request.secaggShareKeys) {
        const body = request.secaggShareKeys;
        const keys = body.keys.map((k) => ({ nodeId: k.nodeId, cipherPublicKey: new Uint8Array(k.cipherPublicKey), maskPublicKey: new Uint8Array(k.maskPublicKey) }));
        const shares = session(body.sessionId).shareKeys(keys, body.neighbours);
        return { reply: { secaggShareKeys: { shares: shares.map((s) => ({ fromNode: s.from, toNode: s.to, ciphertext: Buffer.from(s.ciphertext) })) } } };
      }
      if (request.secaggUnmask) {
        const body = request.secaggUnmask;
        const revealed = session(body.sessionId).unmask({ survivors: body.survivors, dropped: body.dropped });
        const wire = (list) => list.map((s) => ({ owner: s.owner, x: s.x, y: Buffer.from(s.y) }));
        return { reply: { secaggUnmask: { selfMaskShares: wire(revealed.selfMaskShares), keyShares: wire(revealed.keyShares) } } };
      }
      const train = request.train;
      if (!train?.globalWeights) throw new Error('secagg-round worker: unexpected request');
      const [tensor] = tensors.get(train.globalWeights.transferId) ?? [];
      const rows = trainRows(index);
      const delta = syntheticDelta(index, tensor.shape.reduce((a, b) => a * Number(b), 1));
      const base = { datasetId: train.datasetId, round: train.round, sampleCount: rows, trainSize: rows };
      if (train.secureAggregation) {
        // The node's masking: handlers/train.ts's maskedDelta, weight = its train rows.
        const shares = train.secureAggregation.shares.map((s) => ({ from: s.fromNode, to: s.toNode, ciphertext: new Uint8Array(s.ciphertext) }));
        const words = session(train.secureAggregation.sessionId).maskInput(shares, delta, rows);
        const payload = packTensors([{ name: MASKED_UPDATE_TENSOR, dtype: 'DTYPE_INT32', shape: [words.length], data: new Uint8Array(words.buffer, words.byteOffset, words.byteLength) }]);
        return { reply: { train: { ...base, weights: payload.set, isDelta: true } }, tensors: [payload] };
      }
      // A plain node sends its local weights: global + delta.
      const global = asFloat32Array(tensor);
      for (let j = 0; j < delta.length; j++) delta[j] += global[j];
      const payload = packTensors([float32Tensor(tensor.name, tensor.shape, delta)]);
      return { reply: { train: { ...base, weights: payload.set, isDelta: false } }, tensors: [payload] };
    };
  };
  for (let i = 0; i < count; i++) {
    const index = first + i;
    const nodeId = `node-${String(index).padStart(3, '0')}`;
    const client = new NodeClient({ address, nodeId, enrolmentToken: TOKEN, handler: handlerFor(index, nodeId), logger: silent, heartbeatIntervalMs: 30_000, maxTransferBytes: 2 ** 31 - 1 });
    await client.start();
  }
  process.on('message', (message) => message === 'cpu' && process.send(process.cpuUsage()));
  process.on('SIGTERM', () => process.exit(0));
}

const roles = { main, worker: workerMain };
const role = roles[args.role];
if (!role) throw new TypeError(`secagg-round.mjs: --role must be one of ${Object.keys(roles).join(', ')}`);
role().catch((error) => {
  process.stderr.write(`secagg-round.mjs (${args.role}): ${error.stack ?? error}\n`);
  process.exit(2);
});
