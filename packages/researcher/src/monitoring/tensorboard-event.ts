import * as protobuf from 'protobufjs';

/**
 * The subset of TensorBoard's `tensorflow.Event` / `tensorflow.Summary` protobufs a scalar log
 * needs, declared by reflection (field numbers from tensorflow/core/util/event.proto and
 * summary.proto). It is TensorBoard's file format, not a contract of ours, so it stays out of /proto.
 */
const EVENT_SCHEMA = {
  nested: {
    tensorflow: {
      nested: {
        Event: {
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
              },
            },
          },
        },
      },
    },
  },
};

/** One TensorBoard event as plain data: a file-version header or a batch of scalars. */
export interface TensorBoardEvent {
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly scalars?: readonly { readonly tag: string; readonly value: number }[];
}

/** Encodes and decodes TensorBoard `Event` messages. */
export class TensorBoardEventCodec {
  readonly #event: protobuf.Type;

  constructor() {
    this.#event = protobuf.Root.fromJSON(EVENT_SCHEMA).lookupType('tensorflow.Event');
  }

  encode(event: TensorBoardEvent): Uint8Array {
    const message: Record<string, unknown> = { wallTime: event.wallTime, step: event.step };
    if (event.fileVersion !== undefined) message['fileVersion'] = event.fileVersion;
    if (event.scalars !== undefined) {
      message['summary'] = { value: event.scalars.map((s) => ({ tag: s.tag, simpleValue: s.value })) };
    }
    return this.#event.encode(this.#event.fromObject(message)).finish();
  }

  decode(bytes: Uint8Array): TensorBoardEvent {
    const object = this.#event.toObject(this.#event.decode(bytes), { longs: Number, defaults: false }) as {
      wallTime?: number;
      step?: number;
      fileVersion?: string;
      summary?: { value?: { tag?: string; simpleValue?: number }[] };
    };
    return {
      wallTime: object.wallTime ?? 0,
      step: object.step ?? 0,
      ...(object.fileVersion !== undefined ? { fileVersion: object.fileVersion } : {}),
      ...(object.summary !== undefined
        ? { scalars: (object.summary.value ?? []).map((v) => ({ tag: v.tag ?? '', value: v.simpleValue ?? 0 })) }
        : {}),
    };
  }
}
