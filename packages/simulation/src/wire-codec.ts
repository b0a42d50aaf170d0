import { loadProtobufRoot, LOADER_OPTIONS } from '@fedbiomed/proto';
import type * as protobuf from 'protobufjs';

/** Contract messages a simulation passes between the researcher and its virtual nodes. */
export type WireMessage = 'Request' | 'Reply' | 'Scalar' | 'Log';

/**
 * Encodes a message to protobuf bytes and decodes it back with the loader's options, as the gRPC
 * transport does: a virtual node receives exactly what a real one would (defaults filled in, enums
 * as names, the oneof named in `body`), and the researcher exactly what a real node's reply
 * becomes. Only messages go through it; tensors stay in memory.
 */
export class WireCodec {
  readonly #types = new Map<WireMessage, protobuf.Type>();

  constructor(root: protobuf.Root = loadProtobufRoot()) {
    for (const name of ['Request', 'Reply', 'Scalar', 'Log'] as const) this.#types.set(name, root.lookupType(`fedbiomed.v1.${name}`));
  }

  /** `message` as the other side decodes it. */
  roundTrip<T>(name: WireMessage, message: object): T {
    return this.decode<T>(name, this.encode(name, message));
  }

  /** `message` as protobuf bytes (what a worker thread receives). */
  encode(name: WireMessage, message: object): Uint8Array {
    const type = this.#types.get(name) as protobuf.Type;
    return type.encode(type.fromObject(message)).finish();
  }

  /** Bytes from {@link WireCodec.encode} decoded as the gRPC loader would. */
  decode<T>(name: WireMessage, bytes: Uint8Array): T {
    const type = this.#types.get(name) as protobuf.Type;
    return type.toObject(type.decode(bytes), { longs: LOADER_OPTIONS.longs, enums: LOADER_OPTIONS.enums, defaults: true, oneofs: true }) as T;
  }
}
