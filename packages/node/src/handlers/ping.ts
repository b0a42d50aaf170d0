import type { HandlerContext, HandlerResult } from './handler';

/** Answers a ping with the node's clock. */
export function handlePing(ctx: HandlerContext): HandlerResult {
  return { body: { ping: { sentAtMs: ctx.request.ping?.sentAtMs ?? 0, nodeTimeMs: Date.now() } } };
}
