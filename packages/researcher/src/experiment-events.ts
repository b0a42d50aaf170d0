import type { NodeFailure, RoundResult } from './experiment-results';
import type { NodePrivacy, ServerPrivacy } from './privacy-report';

/** A node's answer about the experiment's plan, as `ensureApproved` sees it change. */
interface ApprovalEventBase {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly planSha256: string;
  readonly planName: string;
}

/** What an experiment reports while it runs, discriminated on `type`. */
export type ExperimentEvent =
  /** The plan waits for the node's operator (`fedbiomed node plan approve <hash>`). */
  | ({ readonly type: 'approval-pending'; readonly message: string } & ApprovalEventBase)
  | ({ readonly type: 'approval-granted' } & ApprovalEventBase)
  /** The node's operator rejected the plan: the node is left out of the experiment's rounds. */
  | ({ readonly type: 'approval-rejected'; readonly message: string } & ApprovalEventBase)
  | { readonly type: 'round-started'; readonly round: number; readonly selected: readonly string[] }
  | { readonly type: 'node-replied'; readonly round: number; readonly nodeId: string; readonly nodeName: string; readonly replied: number; readonly expected: number }
  | ({ readonly type: 'node-dropped'; readonly round: number } & NodeFailure)
  | { readonly type: 'round-completed'; readonly result: RoundResult }
  /**
   * After a round in which a DP mechanism ran: ε(δ) of the round and so far, of server-side DP and
   * of each node's task (as the node's accountant counted it against its dataset).
   */
  | {
      readonly type: 'privacy';
      readonly round: number;
      readonly server?: ServerPrivacy;
      readonly nodes: readonly { readonly nodeId: string; readonly nodeName: string; readonly datasetId: string; readonly privacy: NodePrivacy }[];
    }
  | { readonly type: 'round-failed'; readonly round: number; readonly failures: readonly NodeFailure[]; readonly message: string }
  | {
      readonly type: 'scalar';
      readonly round: number;
      readonly nodeId: string;
      readonly name: string;
      readonly value: number;
      readonly step: number;
      readonly phase: string;
    }
  | { readonly type: 'log'; readonly nodeId: string; readonly level: string; readonly message: string }
  | { readonly type: 'breakpoint-saved'; readonly round: number };
