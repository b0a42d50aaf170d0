import type { NodeClient } from './client';
import type { TransportError } from './errors';
import { HeartbeatMonitor, MISSED_HEARTBEATS_LIMIT } from './heartbeat';
import type { Clock } from './clock';
import type { NodeInfo, ResearcherServer } from './server';
import { createNode, hello, openRawSession, startFakeResearcher, startNode, startServer, until } from './__fixtures__/harness';

/** A clock whose time only moves when the test says so. */
function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 0;
  const fireDue = (end: number) => {
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].callback();
    }
    now = end;
  };
  const clock: Clock & { advance(ms: number): void; stall(ms: number): void } = {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.set(++next, { at: now + ms, callback });
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    advance: (ms) => fireDue(now + ms),
    /** A blocked event loop: time moves on, and only then do the timers due meanwhile fire (late). */
    stall: (ms) => {
      now += ms;
      fireDue(now);
    },
  };
  return clock;
}

describe('HeartbeatMonitor', () => {
  it('sends one heartbeat per interval and declares the peer silent after the limit, once', () => {
    const clock = manualClock();
    const sent: number[] = [];
    const silent: number[] = [];
    const monitor = new HeartbeatMonitor(100, clock, (seq) => sent.push(seq), (ms) => silent.push(ms));
    monitor.start();
    clock.advance(250);
    monitor.seen();
    clock.advance(MISSED_HEARTBEATS_LIMIT * 100);
    expect(silent).toEqual([]);
    clock.advance(200);
    expect(silent).toHaveLength(1);
    expect(silent[0]).toBeGreaterThan(MISSED_HEARTBEATS_LIMIT * 100);
    expect(sent).toEqual([1, 2, 3, 4, 5]);
    clock.advance(1000);
    expect(silent).toHaveLength(1);
  });

  it('does not count the time its own event loop was blocked as the peer\'s silence', () => {
    const clock = manualClock();
    const silent: number[] = [];
    const monitor = new HeartbeatMonitor(100, clock, () => undefined, (ms) => silent.push(ms));
    monitor.start();
    clock.stall(5 * 100); // e.g. the researcher sending a round to thousands of nodes
    expect(silent).toEqual([]);
    // A peer that really stays silent is still declared so, MISSED_HEARTBEATS_LIMIT intervals on.
    clock.advance(MISSED_HEARTBEATS_LIMIT * 100 + 100);
    expect(silent).toHaveLength(1);
  });
});

describe('heartbeats on loopback', () => {
  let server: ResearcherServer | undefined;
  const nodes: NodeClient[] = [];
  afterEach(async () => {
    nodes.splice(0).forEach((n) => n.stop());
    await server?.stop();
    server = undefined;
  });

  it('keeps a node that sends heartbeats online, and takes a silent one offline', async () => {
    server = await startServer({ heartbeatIntervalMs: 150 });
    const offline: NodeInfo[] = [];
    server.on('nodeOffline', (n) => offline.push(n));
    nodes.push(await startNode(server.port, { nodeId: 'alive' }));
    const raw = openRawSession(server.port);
    raw.call.write(hello('mute')); // then never a heartbeat
    await until(() => offline.length === 1, 5_000, 'mute offline');
    expect(offline[0]).toMatchObject({ id: 'mute', state: 'offline' });
    expect(offline[0]?.offlineReason).toContain('missed heartbeats');
    await raw.closed;
    // Ten more intervals: the heartbeating node is still there.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(server.nodes().find((n) => n.id === 'alive')).toMatchObject({ state: 'online' });
    expect(server.nodes().find((n) => n.id === 'alive')?.lastHeartbeatAt).toBeGreaterThan(Date.now() - 2_000);
    expect(offline).toHaveLength(1);
  });

  it('detects a silent researcher on the node and reconnects', async () => {
    let sessions = 0;
    const fake = await startFakeResearcher((call) => {
      sessions += 1;
      call.on('error', () => undefined);
      call.once('data', () => call.write({ helloAck: { researcherId: 'mute', version: { major: 1, minor: 0 }, heartbeatIntervalMs: 40 } }));
    });
    const node = createNode(fake.port, { nodeId: 'n' });
    nodes.push(node);
    const disconnects: TransportError[] = [];
    node.on('disconnected', ({ error }) => disconnects.push(error));
    await node.start();
    await until(() => sessions >= 2, 5_000, 'reconnection');
    expect(disconnects[0]?.message).toContain('missed heartbeats');
    node.stop();
    fake.stop();
  });
});
