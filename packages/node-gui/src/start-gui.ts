import type { AddressInfo } from 'node:net';
import { loadNodePlugins, NodeError, type Node } from '@fedbiomed/node';
import { createGuiServer, type GuiServerOptions } from './server';

/** Where and how the GUI listens. */
export interface StartGuiOptions extends Omit<GuiServerOptions, 'node'> {
  /** Default 127.0.0.1: only this machine reaches the GUI. */
  readonly host?: string;
  /** Default 8484; 0 picks a free port. */
  readonly port?: number;
  /** Serve plain HTTP on an address other machines reach (passwords and cookies travel in clear). */
  readonly allowPlainHttp?: boolean;
}

/** A listening GUI. */
export interface RunningGui {
  readonly url: string;
  close(): Promise<void>;
}

/** The GUI's default port. */
export const DEFAULT_GUI_PORT = 8484;

/** Whether `host` only listens on this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Starts the GUI of an opened node. It takes no folder lock: it runs beside `fedbiomed node start`,
 * both writing the node's SQLite database (WAL), and the node logs the decisions it sees.
 *
 * @throws NodeError INVALID_ARGUMENT for a non-loopback host without TLS (unless `allowPlainHttp`)
 */
export async function startGui(node: Node, options: StartGuiOptions = {}): Promise<RunningGui> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.tls === undefined && options.allowPlainHttp !== true) {
    throw new NodeError(
      'INVALID_ARGUMENT',
      `--host ${host} is reachable from other machines: give --tls-cert and --tls-key, or --allow-plain-http to send passwords in clear`,
    );
  }
  // Plans that use the node's plug-ins must validate here as they do in the node.
  await loadNodePlugins(node);
  const app = await createGuiServer({ ...options, node });
  await app.listen({ host, port: options.port ?? DEFAULT_GUI_PORT });
  const address = app.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`, close: () => app.close() };
}
