// Original file: proto/fedbiomed/v1/researcher_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { NodeFrame as _fedbiomed_v1_NodeFrame, NodeFrame__Output as _fedbiomed_v1_NodeFrame__Output } from '../../fedbiomed/v1/NodeFrame';
import type { ResearcherFrame as _fedbiomed_v1_ResearcherFrame, ResearcherFrame__Output as _fedbiomed_v1_ResearcherFrame__Output } from '../../fedbiomed/v1/ResearcherFrame';

export interface ResearcherClient extends grpc.Client {
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_fedbiomed_v1_NodeFrame, _fedbiomed_v1_ResearcherFrame__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_fedbiomed_v1_NodeFrame, _fedbiomed_v1_ResearcherFrame__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_fedbiomed_v1_NodeFrame, _fedbiomed_v1_ResearcherFrame__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_fedbiomed_v1_NodeFrame, _fedbiomed_v1_ResearcherFrame__Output>;
  
}

export interface ResearcherHandlers extends grpc.UntypedServiceImplementation {
  Session: grpc.handleBidiStreamingCall<_fedbiomed_v1_NodeFrame__Output, _fedbiomed_v1_ResearcherFrame>;
  
}

export interface ResearcherDefinition extends grpc.ServiceDefinition {
  Session: MethodDefinition<_fedbiomed_v1_NodeFrame, _fedbiomed_v1_ResearcherFrame, _fedbiomed_v1_NodeFrame__Output, _fedbiomed_v1_ResearcherFrame__Output>
}
