// grpc-js's own framing of a server message, taken before any test patches it: the reference behaviour.
import { BaseServerInterceptingCall } from '@grpc/grpc-js/build/src/server-interceptors';
import { frameInPlace, framedInPlaceCount, reserveHeadroom } from './in-place-framing';
import { installGrpcFastPaths } from './grpc-fast-paths';
import { messageBufferPool } from './message-buffer-pool';
import { packTensors } from './tensor';
import { echoHandler, patternBytes, startNode, startServer } from './__fixtures__/harness';

const grpcSerializeMessage = BaseServerInterceptingCall.prototype['serializeMessage' as keyof BaseServerInterceptingCall] as (value: unknown) => Buffer;

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

describe('installGrpcFastPaths', () => {
  it("frames as grpc-js's server does, in place or by copy", () => {
    installGrpcFastPaths();
    const patched = BaseServerInterceptingCall.prototype['serializeMessage' as keyof BaseServerInterceptingCall] as (value: unknown) => Buffer;
    expect(patched).not.toBe(grpcSerializeMessage);
    for (const serialize of [(v: unknown) => Buffer.from(v as Uint8Array), (v: unknown) => reserveHeadroom(Buffer.allocUnsafeSlow(8)).fill(v as Uint8Array)]) {
      const call = { handler: { serialize } };
      const value = new Uint8Array([1, 2, 3]);
      expect(patched.call(call, value)).toEqual(grpcSerializeMessage.call(call, value));
    }
  });

  it('puts every fast path under real grpc-js calls: chunks framed in place and received into recycled buffers, both ways (fails if a grpc-js upgrade moves its internals)', async () => {
    const server = await startServer({ chunkSizeBytes: 128 * 1024 });
    expect(installGrpcFastPaths()).toEqual({ pooledDecoder: true, serverInPlaceFraming: true, clientInPlaceFraming: true });
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
});
