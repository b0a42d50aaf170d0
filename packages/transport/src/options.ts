/** Defaults shared by both ends. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
export const DEFAULT_CHUNK_SIZE_BYTES = 1 << 20;
/** Largest tensor payload one message may declare by default (16 GiB); there is no size limit in the protocol. */
export const DEFAULT_MAX_TRANSFER_BYTES = 16 * 2 ** 30;
/** Largest single gRPC message by default; chunks keep every frame far below it. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 2 ** 20;

/** gRPC channel / server options for frames of at most `maxFrameBytes`. */
export function grpcMessageOptions(maxFrameBytes: number, chunkSizeBytes: number, where: string): Record<string, number> {
  if (!Number.isSafeInteger(chunkSizeBytes) || chunkSizeBytes <= 0) {
    throw new TypeError(`${where}: chunkSizeBytes must be a positive integer, got ${chunkSizeBytes}`);
  }
  if (chunkSizeBytes + 65_536 > maxFrameBytes) {
    throw new TypeError(`${where}: chunkSizeBytes ${chunkSizeBytes} leaves no room for framing under maxFrameBytes ${maxFrameBytes}`);
  }
  return { 'grpc.max_receive_message_length': maxFrameBytes, 'grpc.max_send_message_length': maxFrameBytes };
}
