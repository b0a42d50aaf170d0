import type { SecAggClient } from '@fedbiomed/secagg';
import { NodeError } from './errors';

/** Sessions a node keeps at once; older ones are forgotten (their round is long over). */
const MAX_SESSIONS = 8;

/** The FedAvg weightings a node can apply before masking. */
export type SecAggWeighting = 'dataset_size' | 'uniform';

/** One secure-aggregation round this node takes part in. */
export interface SecAggSession {
  readonly client: SecAggClient;
  readonly experimentId: string;
  readonly datasetId: string;
  readonly round: number;
  readonly weighting: SecAggWeighting;
}

/**
 * The secure-aggregation rounds a running node takes part in, by experiment and session id. In
 * memory only: a node that restarts has lost its round secrets and cannot take part in that round.
 */
export class SecAggSessions {
  readonly #sessions = new Map<string, SecAggSession>();

  open(session: SecAggSession): void {
    const key = sessionKey(session.experimentId, session.client.parameters.sessionId);
    if (this.#sessions.has(key)) throw new NodeError('MALFORMED_REQUEST', `secure-aggregation session ${session.client.parameters.sessionId} already exists`);
    this.#sessions.set(key, session);
    while (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
  }

  find(experimentId: string, sessionId: string): SecAggSession | undefined {
    return this.#sessions.get(sessionKey(experimentId, sessionId));
  }
}

function sessionKey(experimentId: string, sessionId: string): string {
  return JSON.stringify([experimentId, sessionId]);
}
