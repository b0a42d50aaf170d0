import type { Http2Session } from 'node:http2';

/**
 * HTTP/2 receive window of each side's connection and streams. HTTP/2's 64 KiB default makes the
 * sender wait for a WINDOW_UPDATE every few frames, which dominates bulk tensor transfers on a busy
 * host; see docs/benchmarks/transport.md.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 2 ** 20;

/** The grpc-js internals that lead from a server call to its HTTP/2 session (all optional: private API). */
interface CallInternals {
  call?: { stream?: { session?: Http2Session } };
}

const raised = new WeakSet<Http2Session>();

/**
 * Raises the receive window of the HTTP/2 session carrying a server call, once per session. grpc-js
 * reads `grpc-node.flow_control_window` on the client only (grpc/grpc-node#3058 adds it to the
 * server), so the server's session is reached through grpc-js's private fields; when they are not
 * there (another grpc-js version) nothing changes and the transfer only runs slower. Returns whether
 * the window is raised.
 */
export function raiseServerReceiveWindow(call: object, windowBytes: number): boolean {
  const session = (call as CallInternals).call?.stream?.session;
  if (session === undefined || typeof session.setLocalWindowSize !== 'function' || session.destroyed || session.closed) return false;
  if (raised.has(session)) return true;
  raised.add(session);
  session.setLocalWindowSize(windowBytes);
  session.settings({ initialWindowSize: windowBytes });
  return true;
}
