import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import type { ProtoGrpcType } from './generated/researcher_service';

/**
 * Folder holding the `.proto` contracts: the copy packed into the published package (`prepack`), or
 * the repository's top-level `proto/` when running from the monorepo, so no second copy is committed.
 */
export const PROTO_DIR = [join(__dirname, '..', 'proto'), join(__dirname, '..', '..', '..', 'proto')].find((dir) =>
  existsSync(join(dir, 'fedbiomed', 'v1', 'researcher_service.proto')),
) ?? join(__dirname, '..', 'proto');

/** The contract files, relative to {@link PROTO_DIR}. */
export const PROTO_FILES: readonly string[] = [
  'fedbiomed/v1/tensor.proto',
  'fedbiomed/v1/plan.proto',
  'fedbiomed/v1/concordance.proto',
  'fedbiomed/v1/analytics.proto',
  'fedbiomed/v1/privacy.proto',
  'fedbiomed/v1/secagg.proto',
  'fedbiomed/v1/compression.proto',
  'fedbiomed/v1/bulk.proto',
  'fedbiomed/v1/messages.proto',
  'fedbiomed/v1/researcher_service.proto',
];

/**
 * proto-loader options matching the flags tools/proto/generate.mjs passes to the type generator, so
 * runtime objects have exactly the generated `__Output` shapes.
 */
export const LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
});

/** Loads the contracts as a typed gRPC package (service definitions and message codecs). */
export function loadContracts(): ProtoGrpcType {
  const definition = loadSync([...PROTO_FILES], { ...LOADER_OPTIONS });
  return loadPackageDefinition(definition) as unknown as ProtoGrpcType;
}

/** Loads the contracts as a protobufjs root, for encoding and decoding messages outside gRPC. */
export function loadProtobufRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_DIR, target));
  root.loadSync([...PROTO_FILES], { keepCase: false });
  root.resolveAll();
  return root;
}
