// Transport throughput and memory: a model researcher → node → researcher over loopback with
// @fedbiomed/transport (gRPC), side by side with a raw Node socket moving the same bytes both ways,
// in the same run. Each repetition runs the researcher and the node in two fresh child processes, so
// each side's peak RSS growth (getrusage maxRSS − RSS before the transfer) is measured separately.
//
//   npx tsc -b packages/transport && node tools/bench/transport-throughput.mjs [--repeat 5] [--big]
//       [--chunk BYTES] [--size BYTES] [--integrity chunk-crc32c|crc32c|sha256|both] [--also-integrity sha256]
//       [--compare DIST/index.js] [--only plaintext|tls] [--bulk]
//
// Prints one JSON line per figure; --big adds the 2.5 GB model (one tensor over 2 GiB). --compare
// also runs another build of the transport (a copy of an earlier packages/transport/dist, kept under
// the repository so it resolves the same dependencies), and --also-integrity this build with another
// integrity check; their repetitions alternate with this build's, so all figures come from one run.
// --bulk also runs the bulk tensor channel (the researcher's HTTP/2 bulk port, `bulk: true`) on a copy
// of this build whose grpc-js call fast paths (grpc-call-fast-paths.js) are turned into no-ops, so
// its figures show what public APIs alone reach; its repetitions alternate with the others too.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// The build under test; children inherit it through the environment (see --compare).
const transport = require(process.env.BENCH_TRANSPORT_DIST ?? '../../packages/transport/dist/index.js');
const SELF = fileURLToPath(import.meta.url);
const MiB = 2 ** 20;

const rssMiB = () => process.memoryUsage.rss() / MiB;
/** CPU seconds (user + system) this process used since `since` (a process.cpuUsage() value). */
const cpuSeconds = (since) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

/** Lines of JSON from a child's stdout, as an async queue. */
function messages(child) {
  const queue = [];
  const waiting = [];
  let buffer = '';
  child.stdout.on('data', (text) => {
    buffer += text;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      // Lines that are not ours (V8's --trace-gc, say, under BENCH_NODE_FLAGS) go to stderr.
      if (!line.startsWith('{')) {
        process.stderr.write(`${line}\n`);
        continue;
      }
      const message = JSON.parse(line);
      (waiting.shift() ?? ((m) => queue.push(m)))(message);
    }
  });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve)));
}

/** packTensors' options: none unless --integrity is given (builds before the option took only an id). */
const packOptions = (integrity) => (integrity ? [{ integrity }] : []);

function fillModel(bytes) {
  const data = new Uint8Array(bytes);
  const seed = new Float32Array(data.buffer, 0, Math.min(bytes, MiB) / 4);
  for (let i = 0; i < seed.length; i += 1) seed[i] = Math.sin(i);
  for (let filled = seed.byteLength; filled < bytes; filled *= 2) data.copyWithin(filled, 0, Math.min(filled, bytes - filled));
  return data;
}

async function pki() {
  const ca = await transport.createCertificateAuthority();
  const researcher = await transport.issueCertificate(ca, { role: 'researcher', commonName: 'localhost' });
  return { ca, researcher };
}

// ---- researcher child: serves, sends the model, receives it back ----
async function researcherChild({ bytes, secure, chunkSizeBytes, integrity, certs, bulk }) {
  const next = () => new Promise((resolve) => process.stdin.once('data', (t) => resolve(JSON.parse(t))));
  const server = new transport.ResearcherServer({
    enrolmentTokens: ['bench'],
    chunkSizeBytes,
    logger: { debug() {}, info() {}, warn: console.error, error: console.error },
    ...(secure ? { tls: certs.researcher } : {}),
    ...(bulk ? { bulk: true } : {}),
  });
  const port = await server.start();
  send({ port });
  const model = fillModel(bytes);
  await next(); // the node is connected
  while (!server.nodes().some((n) => n.state === 'online')) await new Promise((r) => setTimeout(r, 10));

  const before = rssMiB();
  const cpuStart = process.cpuUsage();
  const faultsStart = process.resourceUsage().minorPageFault;
  const started = process.hrtime.bigint();
  const weights = transport.packTensors([{ name: 'w', dtype: 'DTYPE_FLOAT32', shape: [bytes / 4], data: model }], ...packOptions(integrity));
  const { reply, tensors } = await server.request('bench-node', { train: { round: 1, globalWeights: weights.set } }, { tensors: [weights] });
  const grpcSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const researcherGrpcCpuSeconds = cpuSeconds(cpuStart);
  const researcherGrpcFaults = process.resourceUsage().minorPageFault - faultsStart;
  const back = tensors.get(reply.train.weights.transferId)[0].data;
  if (back.byteLength !== bytes || back[bytes - 1] !== model[bytes - 1]) throw new Error('model came back different');
  const researcherPeakGrowthMiB = maxRssMiB() - before;
  tensors.clear();
  await server.request('bench-node', { ping: {} }); // lets the node report its memory
  await server.stop();

  send({ grpcSeconds, researcherGrpcFaults, researcherPeakGrowthMiB, researcherGrpcCpuSeconds });
}

// ---- node child: echoes the model back through the transport ----
async function nodeChild({ port, secure, chunkSizeBytes, integrity, certs }) {
  let before = 0;
  let cpuStart;
  let faultsStart = 0;
  const client = new transport.NodeClient({
    address: `localhost:${port}`,
    nodeId: 'bench-node',
    enrolmentToken: 'bench',
    chunkSizeBytes,
    ...(secure ? { tls: { caPem: certs.ca.certPem } } : {}),
    logger: { debug() {}, info() {}, warn: console.error, error: console.error },
    handler: async (request, tensors) => {
      if (request.body === 'ping') {
        send({ nodePeakGrowthMiB: maxRssMiB() - before, nodeGrpcCpuSeconds: cpuSeconds(cpuStart), nodeGrpcFaults: process.resourceUsage().minorPageFault - faultsStart });
        return { reply: { ping: {} } };
      }
      const weights = transport.packTensors(tensors.get(request.train.globalWeights.transferId), ...packOptions(integrity));
      return { reply: { train: { round: 1, weights: weights.set } }, tensors: [weights] };
    },
  });
  before = rssMiB();
  await client.start();
  cpuStart = process.cpuUsage();
  faultsStart = process.resourceUsage().minorPageFault;
  send({ connected: true });
  await new Promise((resolve) => client.on('disconnected', resolve));
  client.stop();
}

// ---- raw socket baseline, in its own two fresh processes so that neither measurement inherits the
// other's heap: the same bytes out and back, each side receiving into a newly allocated buffer ----
async function rawResearcherChild({ bytes, secure, certs }) {
  const rawServer = secure ? tls.createServer({ cert: certs.researcher.certPem, key: certs.researcher.keyPem }) : net.createServer();
  const connection = once(rawServer, secure ? 'secureConnection' : 'connection');
  rawServer.listen(0, '127.0.0.1');
  await once(rawServer, 'listening');
  const model = fillModel(bytes);
  send({ rawPort: rawServer.address().port });
  const [socket] = await connection;
  const rawCpuStart = process.cpuUsage();
  const rawStarted = process.hrtime.bigint();
  const incoming = new Uint8Array(bytes);
  let received = 0;
  const done = new Promise((resolve) =>
    socket.on('data', (chunk) => {
      incoming.set(chunk, received);
      received += chunk.byteLength;
      if (received === bytes) resolve();
    }),
  );
  for (let offset = 0; offset < bytes; offset += 16 * MiB) {
    if (!socket.write(model.subarray(offset, offset + 16 * MiB))) await once(socket, 'drain');
  }
  await done;
  const rawSeconds = Number(process.hrtime.bigint() - rawStarted) / 1e9;
  const researcherRawCpuSeconds = cpuSeconds(rawCpuStart);
  if (incoming[bytes - 1] !== model[bytes - 1]) throw new Error('raw socket: the bytes came back different');
  socket.destroy();
  rawServer.close();
  send({ rawSeconds, researcherRawCpuSeconds });
}

async function rawNodeChild({ rawPort, bytes, secure, certs }) {
  const socket = secure
    ? tls.connect({ port: rawPort, host: '127.0.0.1', ca: certs.ca.certPem, servername: 'localhost' })
    : net.connect({ port: rawPort, host: '127.0.0.1' });
  await once(socket, secure ? 'secureConnect' : 'connect');
  const rawCpuStart = process.cpuUsage();
  const incoming = new Uint8Array(bytes);
  let received = 0;
  socket.on('data', async (chunk) => {
    incoming.set(chunk, received);
    received += chunk.byteLength;
    if (received === bytes) {
      for (let offset = 0; offset < bytes; offset += 16 * MiB) {
        if (!socket.write(incoming.subarray(offset, offset + 16 * MiB))) await once(socket, 'drain');
      }
    }
  });
  await once(socket, 'close');
  send({ nodeRawCpuSeconds: cpuSeconds(rawCpuStart) });
}

// ---- orchestrator ----
function child(role, config, dist) {
  const env = dist ? { ...process.env, BENCH_TRANSPORT_DIST: dist } : process.env;
  const proc = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), '--max-old-space-size=8192', SELF, role, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'], env });
  proc.on('exit', (code) => {
    if (code) {
      console.error(`bench: the ${role.slice(2)} process failed (exit ${code})`);
      process.exit(1);
    }
  });
  return { proc, next: messages(proc), exited: once(proc, 'exit') };
}

async function once_(config, dist) {
  const researcher = child('--researcher', config, dist);
  const { port } = await researcher.next();
  const node = child('--node', { ...config, port }, dist);
  await node.next();
  researcher.proc.stdin.write('{}\n');
  const nodeReport = await node.next();
  const result = await researcher.next();
  await Promise.all([researcher.exited, node.exited]);

  const rawResearcher = child('--raw-researcher', config, dist);
  const { rawPort } = await rawResearcher.next();
  const rawNode = child('--raw-node', { ...config, rawPort }, dist);
  const rawResult = await rawResearcher.next();
  const nodeRaw = await rawNode.next();
  await Promise.all([rawResearcher.exited, rawNode.exited]);
  return { ...result, ...nodeReport, ...rawResult, ...nodeRaw };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function report(build, c, chunkSizeBytes, integrity, runs) {
  const moved = (2 * c.bytes) / MiB;
  const grpc = median(runs.map((r) => moved / r.grpcSeconds));
  const raw = median(runs.map((r) => moved / r.rawSeconds));
  console.log(
    JSON.stringify({
      benchmark: 'transport-throughput',
      build,
      case: c.name,
      tls: c.secure,
      chunkSizeBytes,
      integrity: integrity ?? 'default',
      repeats: runs.length,
      modelMiB: +(c.bytes / MiB).toFixed(1),
      transportMiBps: +grpc.toFixed(1),
      rawSocketMiBps: +raw.toFixed(1),
      ratio: +(grpc / raw).toFixed(3),
      medianRunRatio: +median(runs.map((r) => r.rawSeconds / r.grpcSeconds)).toFixed(3),
      // CPU seconds both processes spent moving the model there and back: far less sensitive than
      // wall time to other work on a shared machine.
      transportCpuSeconds: +median(runs.map((r) => r.researcherGrpcCpuSeconds + r.nodeGrpcCpuSeconds)).toFixed(2),
      rawSocketCpuSeconds: +median(runs.map((r) => r.researcherRawCpuSeconds + r.nodeRawCpuSeconds)).toFixed(2),
      researcherPeakGrowthMiB: +median(runs.map((r) => r.researcherPeakGrowthMiB)).toFixed(1),
      nodePeakGrowthMiB: +median(runs.map((r) => r.nodePeakGrowthMiB)).toFixed(1),
      researcherPeakGrowthRatio: +(median(runs.map((r) => r.researcherPeakGrowthMiB)) / (c.bytes / MiB)).toFixed(3),
      nodePeakGrowthRatio: +(median(runs.map((r) => r.nodePeakGrowthMiB)) / (c.bytes / MiB)).toFixed(3),
      runs: runs.map((r) => ({ grpcSeconds: +r.grpcSeconds.toFixed(3), rawSeconds: +r.rawSeconds.toFixed(3), faults: [r.researcherGrpcFaults, r.nodeGrpcFaults] })),
    }),
  );
}

/**
 * A copy of this build under the repository's ignored tmp/ (so it resolves the same dependencies)
 * in which the grpc-js call fast paths do nothing, as if grpc-call-fast-paths.ts were gone.
 */
function buildWithoutFastPaths() {
  const root = path.resolve(path.dirname(SELF), '../..');
  const dist = path.join(root, 'tmp', `bench-no-fast-paths-${process.pid}`);
  mkdirSync(dist, { recursive: true });
  cpSync(path.join(root, 'packages/transport/dist'), dist, { recursive: true });
  writeFileSync(
    path.join(dist, 'grpc-call-fast-paths.js'),
    "'use strict';\nconst none = () => ({ pooledDecoder: false, inPlaceFraming: false });\nexports.fastenServerCall = none;\nexports.fastenClientCall = none;\n",
  );
  process.on('exit', () => rmSync(dist, { recursive: true, force: true }));
  return path.join(dist, 'index.js');
}

async function main() {
  const args = process.argv.slice(2);
  const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const repeat = Number(option('--repeat') ?? 3) || 3;
  const chunkSizeBytes = Number(option('--chunk') ?? 0) || transport.DEFAULT_CHUNK_SIZE_BYTES;
  const size = Number(option('--size') ?? 0) || 400e6;
  const integrity = option('--integrity');
  const compare = option('--compare') && path.resolve(option('--compare'));
  const alsoIntegrity = option('--also-integrity');
  const bulk = args.includes('--bulk') && buildWithoutFastPaths();
  const certs = await pki();
  const only = option('--only'); // plaintext | tls
  const cases = [
    ...(only === 'tls' ? [] : [{ name: `${size / 1e6}MB`, bytes: size, secure: false, repeat }]),
    ...(only === 'plaintext' ? [] : [{ name: `${size / 1e6}MB-tls`, bytes: size, secure: true, repeat }]),
    ...(args.includes('--big') ? [{ name: '2.5GB', bytes: 2.5e9, secure: false, repeat: 1 }] : []),
  ];
  for (const c of cases) {
    const runs = { current: [], also: [], compared: [], bulk: [] };
    for (let i = 0; i < c.repeat; i += 1) {
      const config = { bytes: c.bytes, secure: c.secure, chunkSizeBytes, integrity, certs };
      runs.current.push(await once_(config));
      if (alsoIntegrity) runs.also.push(await once_({ ...config, integrity: alsoIntegrity }));
      if (compare) runs.compared.push(await once_({ ...config, integrity: undefined }, compare));
      if (bulk) runs.bulk.push(await once_({ ...config, bulk: true }, bulk));
    }
    report('current', c, chunkSizeBytes, integrity, runs.current);
    if (alsoIntegrity) report('current', c, chunkSizeBytes, alsoIntegrity, runs.also);
    if (compare) report(compare, c, chunkSizeBytes, undefined, runs.compared);
    if (bulk) report('bulk-channel-without-fast-paths', c, chunkSizeBytes, integrity, runs.bulk);
  }
}

const [role, config] = process.argv.slice(2);
const roles = { '--researcher': researcherChild, '--node': nodeChild, '--raw-researcher': rawResearcherChild, '--raw-node': rawNodeChild };
if (roles[role]) roles[role](JSON.parse(config)).then(() => process.exit(0));
else main();
