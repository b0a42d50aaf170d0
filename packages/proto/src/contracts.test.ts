import { loadSync } from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';
import type { ResearcherFrame, ResearcherFrame__Output } from './index';
import { LOADER_OPTIONS, PROTO_FILES, PROTOCOL_VERSION, checkProtocolVersion, loadContracts, loadProtobufRoot } from './index';

/** Builds a value for every field of a message type, nested messages, maps and oneofs included. */
function sampleOf(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const sample: Record<string, unknown> = {};
  const oneofMembers = new Set(type.oneofsArray.flatMap((oneof) => oneof.fieldsArray.slice(1).map((f) => f.name)));
  for (const field of type.fieldsArray) {
    if (oneofMembers.has(field.name)) continue; // one member per oneof: the first
    field.resolve();
    const value = scalarSample(field, depth);
    if (value === undefined) continue;
    if (field.map) sample[field.name] = { key_one: value };
    else if (field.repeated) sample[field.name] = [value, value];
    else sample[field.name] = value;
  }
  return sample;
}

function scalarSample(field: protobuf.Field, depth: number): unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    return depth > 4 ? undefined : sampleOf(field.resolvedType, depth + 1);
  }
  if (field.resolvedType instanceof protobuf.Enum) {
    const names = Object.keys(field.resolvedType.values);
    return names[names.length - 1];
  }
  switch (field.type) {
    case 'string':
      return `${field.name}-value-é`;
    case 'bytes':
      return Buffer.from([1, 2, 3, 255, 0, 7]);
    case 'bool':
      return true;
    case 'double':
      return 0.1 + 0.2;
    case 'float':
      return 1.5;
    default:
      return 42; // every integer type
  }
}

function allMessageTypes(root: protobuf.Root): protobuf.Type[] {
  const ns = root.lookup('fedbiomed.v1') as protobuf.Namespace;
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

describe('contracts', () => {
  const root = loadProtobufRoot();
  const types = allMessageTypes(root);

  it('define the messages the protocol needs', () => {
    const names = types.map((t) => t.name);
    for (const required of ['Hello', 'HelloAck', 'TensorHeader', 'TensorChunk', 'TensorSet', 'TrainingPlan', 'TrainingArgs', 'TrainRequest', 'TrainReply', 'SearchRequest', 'SearchReply', 'ApprovalRequest', 'ApprovalReply', 'PlanStatusRequest', 'PlanStatusReply', 'Scalar', 'Log', 'Heartbeat', 'Error', 'NodeFrame', 'ResearcherFrame']) {
      expect(names).toContain(required);
    }
  });

  it.each(allMessageTypes(loadProtobufRoot()).map((t) => [t.name]))('round-trips %s through protobufjs', (name) => {
    const type = root.lookupType(`fedbiomed.v1.${name}`);
    const sample = sampleOf(type);
    const message = type.fromObject(sample);
    expect(type.verify(message)).toBeNull();
    const bytes = type.encode(message).finish();
    const decoded = type.toObject(type.decode(bytes), { enums: String, longs: Number, bytes: Buffer, defaults: false });
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(JSON.parse(JSON.stringify(sample)));
  });

  it('round-trips every message through the gRPC codec with the generated shapes', () => {
    const definition = loadSync([...PROTO_FILES], { ...LOADER_OPTIONS });
    for (const type of types) {
      const codec = definition[`fedbiomed.v1.${type.name}`] as { serialize: (v: unknown) => Buffer; deserialize: (b: Buffer) => unknown };
      const sample = sampleOf(type);
      const back = codec.deserialize(codec.serialize(sample)) as Record<string, unknown>;
      for (const key of Object.keys(sample)) expect(back[key]).toBeDefined();
    }
  });

  it('carries a train request oneof inside a researcher frame', () => {
    const definition = loadSync([...PROTO_FILES], { ...LOADER_OPTIONS });
    const codec = definition['fedbiomed.v1.ResearcherFrame'] as {
      serialize: (v: ResearcherFrame) => Buffer;
      deserialize: (b: Buffer) => ResearcherFrame__Output;
    };
    const frame = codec.deserialize(
      codec.serialize({ request: { requestId: 'r1', experimentId: 'e1', train: { round: 3, datasetId: 'd', args: { batchSize: 4, randomSeed: 7 } } } }),
    );
    expect(frame.kind).toBe('request');
    expect(frame.request?.body).toBe('train');
    expect(frame.request?.train?.round).toBe(3);
    expect(frame.request?.train?.args?.randomSeed).toBe(7);
  });

  it('exposes the Researcher service with a bidirectional Session method', () => {
    const contracts = loadContracts();
    const service = contracts.fedbiomed.v1.Researcher.service;
    expect(service.Session?.requestStream).toBe(true);
    expect(service.Session?.responseStream).toBe(true);
  });
});

describe('protocol version', () => {
  it('accepts the same version', () => {
    expect(checkProtocolVersion(PROTOCOL_VERSION, { major: 1, minor: 2 }, 'researcher')).toEqual({ compatible: true });
  });

  it('tolerates a minor mismatch with a warning', () => {
    const check = checkProtocolVersion(PROTOCOL_VERSION, { major: 1, minor: 3 }, 'researcher');
    expect(check.compatible).toBe(true);
    expect(check).toHaveProperty('warning', expect.stringContaining('minor'));
  });

  it('refuses an older node, saying to upgrade the node', () => {
    const check = checkProtocolVersion({ major: 2, minor: 0 }, { major: 1, minor: 4 }, 'researcher');
    expect(check).toEqual({ compatible: false, reason: expect.stringContaining('upgrade the node') });
  });

  it('refuses a newer node, saying to upgrade the researcher', () => {
    const check = checkProtocolVersion(PROTOCOL_VERSION, { major: 2, minor: 0 }, 'researcher');
    expect(check).toEqual({ compatible: false, reason: expect.stringContaining('upgrade the researcher') });
  });

  it('refuses a peer that announced no version', () => {
    expect(checkProtocolVersion(PROTOCOL_VERSION, null, 'node').compatible).toBe(false);
  });
});
