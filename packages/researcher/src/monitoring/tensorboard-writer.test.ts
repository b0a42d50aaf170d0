import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@fedbiomed/test-utils';
import { TensorBoardEventCodec } from './tensorboard-event';
import { TensorBoardWriter } from './tensorboard-writer';
import { decodeTfRecords, encodeTfRecord, maskedCrc32c } from './tfrecord';

describe('TensorBoard event files', () => {
  it('masks CRC32C as TFRecord does', () => {
    // CRC32C("123456789") = 0xe3069283, the standard check value; masked by hand.
    const crc = 0xe3069283;
    const masked = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe(masked);
  });

  it('writes records that decode back with valid CRCs and the scalars written', () => {
    const dir = makeTempDir();
    try {
      const writer = new TensorBoardWriter(dir.path, { now: () => 1_700_000_000_000 });
      writer.addScalars(1, [{ tag: 'federation/global/accuracy', value: 0.5 }], 1_700_000_001_000);
      writer.addScalars(2, [{ tag: 'federation/global/accuracy', value: 0.75 }, { tag: 'loss', value: 0.25 }], 1_700_000_002_000);
      writer.close();
      const [file] = readdirSync(dir.path);
      expect(file).toMatch(/^events\.out\.tfevents\.1700000000\./);
      const codec = new TensorBoardEventCodec();
      const events = decodeTfRecords(readFileSync(join(dir.path, file!))).map((record) => codec.decode(record));
      expect(events).toEqual([
        { wallTime: 1_700_000_000, step: 0, fileVersion: 'brain.Event:2' },
        { wallTime: 1_700_000_001, step: 1, scalars: [{ tag: 'federation/global/accuracy', value: 0.5 }] },
        { wallTime: 1_700_000_002, step: 2, scalars: [{ tag: 'federation/global/accuracy', value: 0.75 }, { tag: 'loss', value: 0.25 }] },
      ]);
    } finally {
      dir.dispose();
    }
  });

  it('refuses a record whose data was altered, naming the record', () => {
    const file = Buffer.concat([encodeTfRecord(Buffer.from('first')), encodeTfRecord(Buffer.from('second'))]);
    const at = file.length - 6;
    file.writeUInt8(file.readUInt8(at) ^ 0xff, at);
    expect(() => decodeTfRecords(file)).toThrow(/TFRecord 1: data CRC mismatch/);
  });
});
