// grpc-js's own internals, captured before any transport object exists: the reference they must stay.
import { StreamDecoder } from '@grpc/grpc-js/build/src/stream-decoder';
import { BaseServerInterceptingCall } from '@grpc/grpc-js/build/src/server-interceptors';
import { CompressionFilter } from '@grpc/grpc-js/build/src/compression-filter';
import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ClientDuplexStream,
  type ServerDuplexStream,
} from '@grpc/grpc-js';
import { frameInPlace, framedInPlaceCount, reserveHeadroom } from './in-place-framing';
import { messageBufferPool } from './message-buffer-pool';
import { PooledStreamDecoder } from './pooled-stream-decoder';
import { fastenClientCall, fastenServerCall } from './grpc-call-fast-paths';
import { packTensors } from './tensor';
import { echoHandler, patternBytes, startNode, startServer } from './__fixtures__/harness';

const identityPrototype = (): object => Object.getPrototypeOf((new CompressionFilter({}, {}) as unknown as { sendCompression: object }).sendCompression) as object;
const grpcSerializeMessage = (BaseServerInterceptingCall.prototype as unknown as Record<string, unknown>).serializeMessage;
const grpcIdentityWriteMessage = (identityPrototype() as Record<string, unknown>).writeMessage;

describe('in-place framing', () => {
  it('frames a message serialized with headroom where it lies, and nothing else', () => {
    const message = reserveHeadroom(Buffer.allocUnsafeSlow(305)).fill(7);
    const framed = frameInPlace(message);
    expect(framed?.buffer).toBe(message.buffer);
    expect(framed?.equals(Buffer.concat([Buffer.from([0, 0, 0, 0x01, 0x2c]), message]))).toBe(true);
    expect(frameInPlace(Buffer.alloc(300))).toBeUndefined();
    expect(frameInPlace(message.subarray(1))).toBeUndefined(); // its headroom would overwrite a message byte
    expect(() => reserveHeadroom(Buffer.alloc(300).subarray(1))).toThrow(RangeError);
  });
});

/** A plain grpc-js echo service of raw bytes: another grpc-js user of the same process. */
const echoService = {
  Echo: {
    path: '/other.Echo/Echo',
    requestStream: true,
    responseStream: true,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
};

describe('fastenServerCall / fastenClientCall', () => {
  it('leave a call alone where grpc-js internals are not found (another grpc-js layout): transfers then take grpc-js own path', () => {
    expect(fastenServerCall({})).toEqual({ pooledDecoder: false, inPlaceFraming: false });
    expect(fastenServerCall({ call: { decoder: {} } })).toEqual({ pooledDecoder: false, inPlaceFraming: false });
    expect(fastenClientCall({})).toEqual({ pooledDecoder: false, inPlaceFraming: false });
    expect(fastenClientCall({ call: { call: { child: { underlyingCalls: [] }, filterStack: { filters: [{}] } } } })).toEqual({ pooledDecoder: false, inPlaceFraming: false });
  });

  it('never swaps a decoder in the middle of a message (its buffered bytes would be lost)', () => {
    const midMessage = new StreamDecoder(-1);
    expect(midMessage.write(Buffer.from([0, 0, 0, 0, 10, 1, 2]))).toEqual([]);
    const inner = { decoder: midMessage };
    expect(fastenServerCall({ call: inner }).pooledDecoder).toBe(false);
    expect(inner.decoder).toBe(midMessage);
    const idle = { decoder: new StreamDecoder(1000) };
    expect(fastenServerCall({ call: idle }).pooledDecoder).toBe(true);
    expect(idle.decoder).toBeInstanceOf(PooledStreamDecoder);
    expect(() => idle.decoder.write(Buffer.from([0, 0, 0, 3, 233]))).toThrow('Received message larger than max (1001 vs 1000)'); // the limit carried over
  });
});

type Internals = { call: Record<string, unknown> & { call?: Record<string, unknown> } };

describe('bulk fast paths confined to our own calls', () => {
  it('puts every fast path under real grpc-js calls of ours: chunks framed in place and received into recycled buffers, both ways (fails if a grpc-js upgrade moves its internals)', async () => {
    const server = await startServer({ chunkSizeBytes: 128 * 1024 });
    const node = await startNode(server.port, { nodeId: 'node-1', handler: echoHandler, chunkSizeBytes: 128 * 1024 });
    const data = patternBytes(4 * 2 ** 20, 7);
    const weights = packTensors([{ name: 'w', dtype: 'DTYPE_UINT8', shape: [data.byteLength], data }]);
    const [reusedBefore, framedBefore] = [messageBufferPool.reusedCount, framedInPlaceCount()];
    const { reply, tensors } = await server.request('node-1', { train: { round: 1, globalWeights: weights.set } }, { tensors: [weights] });
    const back = tensors.get(reply.train?.weights?.transferId ?? '')?.[0]?.data;
    expect(Buffer.from(back ?? []).equals(data.map((b) => (b + 1) & 0xff))).toBe(true); // echoHandler adds one
    // 32 chunks each way: all framed in place, nearly all received into a recycled buffer.
    expect(framedInPlaceCount() - framedBefore).toBe(64);
    expect(messageBufferPool.reusedCount - reusedBefore).toBeGreaterThan(50);
    node.stop();
    await server.stop();
  });

  it("leaves grpc-js's modules and another grpc-js server and client in the same process untouched", async () => {
    // Our transport, loaded and used first: a full transfer both ways.
    const ours = await startServer({ chunkSizeBytes: 128 * 1024 });
    const node = await startNode(ours.port, { nodeId: 'node-1', handler: echoHandler, chunkSizeBytes: 128 * 1024 });
    const data = patternBytes(2 ** 20, 3);
    const weights = packTensors([{ name: 'w', dtype: 'DTYPE_UINT8', shape: [data.byteLength], data }]);
    await ours.request('node-1', { train: { round: 1, globalWeights: weights.set } }, { tensors: [weights] });

    // grpc-js's internal modules are its own.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect((require('@grpc/grpc-js/build/src/stream-decoder') as { StreamDecoder: unknown }).StreamDecoder).toBe(StreamDecoder);
    expect(StreamDecoder).not.toBe(PooledStreamDecoder);
    expect((BaseServerInterceptingCall.prototype as unknown as Record<string, unknown>).serializeMessage).toBe(grpcSerializeMessage);
    expect((identityPrototype() as Record<string, unknown>).writeMessage).toBe(grpcIdentityWriteMessage);

    // Another grpc-js server and client, running beside ours: grpc-js's own decoders and framing.
    let serverCall: (ServerDuplexStream<Buffer, Buffer> & Internals) | undefined;
    const other = new Server();
    other.addService(echoService, {
      Echo: (call: ServerDuplexStream<Buffer, Buffer>) => {
        serverCall = call as typeof serverCall;
        call.on('data', (message: Buffer) => call.write(message));
        call.on('end', () => call.end());
      },
    });
    const port = await new Promise<number>((resolve, reject) => other.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    const Echo = makeGenericClientConstructor(echoService, 'Echo');
    const client = new Echo(`127.0.0.1:${port}`, credentials.createInsecure());
    const call = (client as unknown as { Echo(): ClientDuplexStream<Buffer, Buffer> }).Echo();
    const message = reserveHeadroom(Buffer.allocUnsafeSlow(256 * 1024 + 5)).fill(9); // would be framed in place by our paths
    const [reusedBefore, framedBefore] = [messageBufferPool.reusedCount, framedInPlaceCount()];
    const echoed = new Promise<Buffer>((resolve) => call.once('data', resolve));
    call.write(message);
    expect((await echoed).equals(message)).toBe(true);
    expect(framedInPlaceCount()).toBe(framedBefore);
    expect(messageBufferPool.reusedCount).toBe(reusedBefore);
    expect(serverCall?.call.decoder).toBeInstanceOf(StreamDecoder);
    expect(Object.hasOwn(serverCall?.call ?? {}, 'serializeMessage')).toBe(false);
    const ended = new Promise((resolve) => call.on('status', resolve));
    call.on('data', () => undefined);
    call.end();
    await ended;
    client.close();
    other.forceShutdown();
    node.stop();
    await ours.stop();
  });
});
