import { loadContracts, type ResearcherFrame } from '@fedbiomed/proto';
import fc from 'fast-check';
import { chunkFrameSerializer, releaseChunkFrame } from './chunk-frame-serializer';
import { frameInPlace } from './in-place-framing';
import { MessageBufferPool } from './message-buffer-pool';

const { Session } = loadContracts().fedbiomed.v1.Researcher.service;
const generated = (frame: ResearcherFrame) => Session.responseSerialize(frame);

describe('chunkFrameSerializer', () => {
  it('writes chunk frames in exactly the bytes of the generated codec, which decodes them back', () => {
    const serialize = chunkFrameSerializer(generated);
    const chunkArb = fc.record(
      {
        transferId: fc.string({ unit: 'grapheme', maxLength: 40 }),
        tensorIndex: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        offset: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.maxSafeNat()),
        data: fc.uint8Array({ maxLength: 2000 }),
        crc32c: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      },
      { requiredKeys: ['transferId', 'tensorIndex', 'offset', 'data'] },
    );
    fc.assert(
      fc.property(chunkArb, (chunk) => {
        const bytes = Buffer.from(serialize({ chunk }));
        expect(bytes).toEqual(generated({ chunk }));
        const decoded = Session.responseDeserialize(bytes);
        expect(decoded.kind).toBe('chunk');
        expect(decoded.chunk).toEqual({ ...chunk, data: Buffer.from(chunk.data), ...(chunk.crc32c !== undefined && { _crc32c: 'crc32c' }) });
      }),
    );
  });

  it('leaves every other frame to the generated codec', () => {
    const seen: ResearcherFrame[] = [];
    const serialize = chunkFrameSerializer((frame) => {
      seen.push(frame);
      return generated(frame);
    });
    const data = new Uint8Array([1, 2, 3]);
    const others: ResearcherFrame[] = [
      { heartbeat: { seq: 3, timestampMs: 9 } },
      { chunk: { transferId: 't', tensorIndex: 0, offset: '5', data } },
      { chunk: { transferId: 't', tensorIndex: -1, offset: 0, data } },
      { chunk: { transferId: 't', tensorIndex: 0, offset: 0, data }, heartbeat: { seq: 1 } },
    ];
    for (const frame of others) expect(Buffer.from(serialize(frame))).toEqual(generated(frame));
    expect(seen).toEqual(others);
  });

  it('writes each chunk frame after room for the gRPC prefix, framed there without a copy, into a buffer reused only once the frame is released', () => {
    const serialize = chunkFrameSerializer(generated, new MessageBufferPool());
    const chunk = { transferId: 'a', tensorIndex: 0, offset: 0, data: new Uint8Array(70_000).fill(1) };
    const firstFrame = { chunk };
    const first = serialize(firstFrame);
    const second = serialize({ chunk: { ...chunk, offset: 70_000, data: new Uint8Array(70_000).fill(2) } });
    expect(second.buffer).not.toBe(first.buffer);
    expect(first.at(-1)).toBe(1);
    const framed = frameInPlace(first);
    expect(framed?.buffer).toBe(first.buffer);
    const expected = generated({ chunk });
    expect(framed?.readUInt8(0)).toBe(0); // not compressed
    expect(framed?.readUInt32BE(1)).toBe(expected.byteLength);
    expect(framed?.subarray(5).equals(expected)).toBe(true);

    releaseChunkFrame(firstFrame);
    releaseChunkFrame(firstFrame); // a second release changes nothing
    const third = serialize({ chunk: { ...chunk, offset: 140_000, data: new Uint8Array(70_000).fill(3) } });
    expect(third.buffer).toBe(first.buffer);
    expect(serialize({ chunk }).buffer).not.toBe(first.buffer);
  });
});
