import type { Http2Session } from 'node:http2';

/**
 * HTTP/2 receive window of each side's connection and streams. HTTP/2's 64 KiB default makes the
 * sender wait for a WINDOW_UPDATE every few frames, which dominates bulk tensor transfers on a busy
 * host; see docs/benchmarks/transport.md.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 2 ** 20;

/**
 * Largest HTTP/2 frame a side accepts (the protocol's maximum; its default is 16 KiB). A 1 MiB tensor
 * chunk then arrives in one DATA frame instead of 64, each of which costs the receiver a parse and a
 * JavaScript 'data' event.
 */
export const MAX_HTTP2_FRAME_BYTES = 2 ** 24 - 1;

/** The grpc-js internals that lead from a server call to its HTTP/2 session (all optional: private API). */
interface CallInternals {
  call?: { stream?: { session?: Http2Session } };
}

const raised = new WeakSet<Http2Session>();

/**
 * Raises the receive window of the HTTP/2 session carrying a server call, and the largest frame it
 * accepts ({@link MAX_HTTP2_FRAME_BYTES}), once per session. grpc-js reads
 * `grpc-node.flow_control_window` on the client only (grpc/grpc-node#3058 adds it to the server) and
 * sets no frame size, so the server's session is reached through grpc-js's private fields; when they
 * are not there (another grpc-js version) nothing changes and the transfer only runs slower. Returns
 * whether the window is raised.
 */
export function raiseServerReceiveWindow(call: object, windowBytes: number): boolean {
  const session = (call as CallInternals).call?.stream?.session;
  if (session === undefined || typeof session.setLocalWindowSize !== 'function' || session.destroyed || session.closed) return false;
  if (raised.has(session)) return true;
  raised.add(session);
  session.setLocalWindowSize(windowBytes);
  session.settings({ initialWindowSize: windowBytes, maxFrameSize: MAX_HTTP2_FRAME_BYTES });
  return true;
}

/**
 * The grpc-js internals that lead from a client call to the HTTP/2 session of its channel's
 * connection (pick-first: one subchannel). All optional: private API.
 */
interface ClientCallInternals {
  call?: { call?: { channel?: { currentPicker?: { subchannel?: { child?: { transport?: { session?: Http2Session } } } } } } };
}

/**
 * Lets the researcher send {@link MAX_HTTP2_FRAME_BYTES} frames to this node, once per session: a
 * 1 MiB chunk then reaches the node in one DATA frame instead of 64. grpc-js offers no option for it,
 * so the session is reached through private fields; when they are not there (another grpc-js
 * version) nothing changes and downloads only run slower. Call once the session is up. Returns
 * whether the setting was sent.
 */
export function raiseClientFrameSize(call: object): boolean {
  const session = (call as ClientCallInternals).call?.call?.channel?.currentPicker?.subchannel?.child?.transport?.session;
  if (!session || typeof session.settings !== 'function' || session.destroyed) return false;
  if (raised.has(session)) return true;
  raised.add(session);
  session.settings({ maxFrameSize: MAX_HTTP2_FRAME_BYTES });
  return true;
}
