import type { NodeFailure, RoundResult } from './experiment-results';

/** What an experiment reports while it runs, discriminated on `type`. */
export type ExperimentEvent =
  | { readonly type: 'round-started'; readonly round: number; readonly selected: readonly string[] }
  | { readonly type: 'node-replied'; readonly round: number; readonly nodeId: string; readonly nodeName: string; readonly replied: number; readonly expected: number }
  | ({ readonly type: 'node-dropped'; readonly round: number } & NodeFailure)
  | { readonly type: 'round-completed'; readonly result: RoundResult }
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
