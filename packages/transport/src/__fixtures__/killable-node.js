// A node in its own process, speaking the session protocol by hand, so a test can SIGKILL it in
// the middle of streaming a reply's tensor. Usage:
//   node killable-node.js <protoDir> <port> <nodeId> <token> <stall|complete>
// On a train request it announces a 32 MiB tensor and streams it in 256 KiB chunks; with `stall`
// it prints "streaming" after the first chunks and then waits to be killed.
'use strict';
const { createHash } = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [protoDir, port, nodeId, token, mode] = process.argv.slice(2);
const files = ['tensor', 'plan', 'messages', 'researcher_service'].map((f) => `fedbiomed/v1/${f}.proto`);
const definition = loader.loadSync(files, { longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [protoDir] });
const { Researcher } = grpc.loadPackageDefinition(definition).fedbiomed.v1;
const client = new Researcher(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const call = client.Session();
call.on('error', () => process.exit(0));
call.write({ hello: { nodeId, nodeName: nodeId, version: { major: 1, minor: 0 }, enrolmentToken: token } });

const SIZE = 32 << 20;
const CHUNK = 256 << 10;
const data = Buffer.alloc(SIZE, 7);
const digest = createHash('sha256').update(data).digest();

call.on('data', async (frame) => {
  if (frame.kind !== 'request') return;
  const { requestId } = frame.request;
  const transferId = `reply-${requestId}`;
  call.write({
    reply: {
      requestId,
      nodeId,
      train: { round: 1, weights: { transferId, tensors: [{ name: 'w', dtype: 'DTYPE_UINT8', shape: [SIZE], byteLength: SIZE, sha256: digest }] } },
    },
  });
  for (let offset = 0; offset < SIZE; offset += CHUNK) {
    if (mode === 'stall' && offset === 4 * CHUNK) {
      process.stdout.write('streaming\n');
      return;
    }
    if (!call.write({ chunk: { transferId, tensorIndex: 0, offset, data: data.subarray(offset, offset + CHUNK) } })) {
      await new Promise((resolve) => call.once('drain', resolve));
    }
  }
});
