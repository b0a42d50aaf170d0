import type { Node } from '@fedbiomed/node';
import type { createRenderer } from './render';

/** What every route module gets from the server. */
export interface GuiContext {
  readonly node: Node;
  readonly render: ReturnType<typeof createRenderer>;
  /** Served over TLS: cookies are Secure. */
  readonly secure: boolean;
  readonly sessionTtlMs: number;
  readonly loginAttemptsPerMinute: number;
}
