import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports handed out below the kernel's ephemeral range: a port the OS picks (`listen(0)`) is one that
 * outgoing connections also draw from, so between our probe and the command's own bind another
 * process's connection could take it. Below the range only explicit binds compete.
 */
const LOWEST = 20_000;

function ephemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return start !== undefined && Number.isInteger(start) && start > LOWEST + 1_000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

const handedOut = new Set<number>();

async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  const outcome = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (outcome) {
    server.close();
    await once(server, 'close');
  }
  return outcome;
}

/** A TCP port free right now on 127.0.0.1, for commands that must be told their port in advance. */
export async function freePort(): Promise<number> {
  const span = ephemeralStart() - LOWEST;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = LOWEST + Math.floor(Math.random() * span);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free TCP port on 127.0.0.1 between ${LOWEST} and ${LOWEST + span} after 200 tries`);
}
