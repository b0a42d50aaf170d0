import type { Clock } from './clock';

/** A peer is declared offline after this many heartbeat intervals without any frame from it. */
export const MISSED_HEARTBEATS_LIMIT = 3;

/**
 * Sends a heartbeat every interval and watches the peer: any frame received counts as a sign of
 * life (`seen`); after {@link MISSED_HEARTBEATS_LIMIT} silent intervals `onSilent` is called once.
 * Time during which this side's own event loop was blocked (the tick fired late) does not count as
 * silence: the peer's frames of that time are still unread in the socket. Without this, a researcher
 * busy for a few intervals (a round's fan-out to thousands of nodes) dropped every node at once.
 */
export class HeartbeatMonitor {
  private lastSeen: number;
  private handle: unknown;
  private seq = 0;
  private dueAt = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly send: (seq: number, timestampMs: number) => void,
    private readonly onSilent: (silentForMs: number) => void,
  ) {
    this.lastSeen = clock.now();
  }

  start(): void {
    this.schedule();
  }

  /** Records that a frame arrived from the peer. */
  seen(): void {
    this.lastSeen = this.clock.now();
  }

  stop(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(): void {
    this.dueAt = this.clock.now() + this.intervalMs;
    this.handle = this.clock.setTimeout(() => this.tick(), this.intervalMs);
  }

  private tick(): void {
    const lateMs = this.clock.now() - this.dueAt;
    if (lateMs > 0) this.lastSeen = Math.min(this.clock.now(), this.lastSeen + lateMs);
    const silentForMs = this.clock.now() - this.lastSeen;
    if (silentForMs > MISSED_HEARTBEATS_LIMIT * this.intervalMs) {
      this.handle = undefined;
      this.onSilent(silentForMs);
      return;
    }
    this.seq += 1;
    this.send(this.seq, this.clock.now());
    this.schedule();
  }
}
