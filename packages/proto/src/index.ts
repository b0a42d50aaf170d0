/**** Contract types generated from proto/fedbiomed/v1 ****/
export * from './generated';
export type { ProtoGrpcType } from './generated/researcher_service';

/**** Protocol version ****/
export { PROTOCOL_VERSION, checkProtocolVersion } from './version';
export type { VersionCheck } from './version';

/**** Loading the contracts at run time ****/
export { LOADER_OPTIONS, PROTO_DIR, PROTO_FILES, loadContracts, loadProtobufRoot } from './load';
