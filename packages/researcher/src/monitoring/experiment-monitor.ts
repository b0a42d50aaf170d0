import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import type { ExperimentEvent } from '../experiment-events';
import type { RoundResult } from '../experiment-results';
import { metricsCsv, metricsJson, privacyValues } from './metrics-files';
import { nodeLabels, nodesOfRounds, type NodeIdentity } from './node-labels';
import { TensorBoardWriter } from './tensorboard-writer';

/** Options of {@link ExperimentMonitor}. */
export interface ExperimentMonitorOptions {
  /**
   * The experiment goes on from a breakpoint: keep the TensorBoard event files already in the
   * folder. Otherwise a new run replaces them (TensorBoard would plot both runs as one).
   */
  readonly resumed?: boolean;
  /** The nodes the experiment knows (discovered), so labels are settled before their first scalar. */
  readonly nodes?: () => Iterable<NodeIdentity>;
}

/** File of the round events, one JSON object per line, in the order they happened. */
export const EVENTS_FILE = 'events.jsonl';

/** The events {@link EVENTS_FILE} keeps: what a round did, not each streamed scalar or log line. */
const ROUND_EVENTS: ReadonlySet<ExperimentEvent['type']> = new Set(['round-started', 'node-replied', 'node-dropped', 'round-completed', 'round-failed']);

/**
 * Writes an experiment's monitoring files in its folder as events arrive: `metrics.csv` and
 * `metrics.json` (rewritten atomically after each round, so they always match the results, also
 * after a resume), TensorBoard scalars under `tensorboard/` (ε of any DP mechanism included: `privacy`
 * rows, `privacy/` tags), and the round events as they happen in `events.jsonl` (appended line by
 * line, so a dashboard can follow a run from another process). Every file names a node by the same
 * label ({@link nodeLabels}): its name, with its id only where two nodes share the name.
 */
export class ExperimentMonitor {
  readonly #dir: string;
  readonly #experimentId: string;
  readonly #tensorboard: TensorBoardWriter;
  readonly #eventsFile: string;
  readonly #knownNodes: () => Iterable<NodeIdentity>;
  /** Labels as of the last round or newcomer; recomputed when a scalar comes from an unknown node. */
  #labels = new Map<string, string>();
  /** Per node, the local step reached in earlier rounds, so streamed scalars line up across rounds. */
  readonly #stepOffsets = new Map<string, { round: number; offset: number; last: number }>();

  constructor(dir: string, experimentId: string, options: ExperimentMonitorOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.#dir = dir;
    this.#experimentId = experimentId;
    this.#knownNodes = options.nodes ?? (() => []);
    this.#tensorboard = new TensorBoardWriter(join(dir, 'tensorboard'), { replacePrevious: options.resumed !== true });
    this.#eventsFile = join(dir, EVENTS_FILE);
    if (options.resumed !== true) writeFileSync(this.#eventsFile, '');
  }

  /** Feeds one experiment event; `results` is every round completed so far. */
  record(event: ExperimentEvent, results: readonly RoundResult[]): void {
    if (ROUND_EVENTS.has(event.type)) appendFileSync(this.#eventsFile, JSON.stringify({ ...event, timeMs: Date.now() }) + '\n');
    if (event.type === 'round-completed') {
      const labels = this.#relabel(results);
      writeFileAtomic(join(this.#dir, 'metrics.csv'), metricsCsv(results, labels));
      writeFileAtomic(join(this.#dir, 'metrics.json'), metricsJson(this.#experimentId, results, labels));
      this.#tensorboard.addScalars(event.result.round, roundScalars(event.result, labels));
    } else if (event.type === 'scalar') {
      const label = (this.#labels.has(event.nodeId) ? this.#labels : this.#relabel(results)).get(event.nodeId) ?? event.nodeId;
      this.#tensorboard.addScalars(this.#globalStep(event.nodeId, event.round, event.step), [
        { tag: `${label}/${event.phase}/${event.name}`, value: event.value },
      ]);
    }
  }

  close(): void {
    this.#tensorboard.close();
  }

  #relabel(results: readonly RoundResult[]): Map<string, string> {
    this.#labels = nodeLabels([...this.#knownNodes(), ...nodesOfRounds(results)]);
    return this.#labels;
  }

  #globalStep(nodeId: string, round: number, step: number): number {
    const entry = this.#stepOffsets.get(nodeId) ?? { round, offset: 0, last: 0 };
    if (round !== entry.round) {
      entry.offset = entry.last + 1;
      entry.round = round;
    }
    entry.last = Math.max(entry.last, entry.offset + step);
    this.#stepOffsets.set(nodeId, entry);
    return entry.offset + step;
  }
}

function roundScalars(result: RoundResult, labels: ReadonlyMap<string, string>): { tag: string; value: number }[] {
  const scalars: { tag: string; value: number }[] = [];
  for (const [name, value] of Object.entries(result.metricsBefore.values)) scalars.push({ tag: `federation/global/${name}`, value });
  for (const [name, value] of Object.entries(result.metricsAfter.values)) scalars.push({ tag: `federation/local/${name}`, value });
  for (const node of result.nodes) {
    const label = labels.get(node.nodeId) ?? node.nodeId;
    for (const [name, value] of Object.entries(node.metricsBefore?.values ?? {})) scalars.push({ tag: `${label}/global/${name}`, value });
    for (const [name, value] of privacyValues(node.privacy)) scalars.push({ tag: `${label}/privacy/${name}`, value });
  }
  for (const [name, value] of privacyValues(result.privacy)) scalars.push({ tag: `federation/privacy/${name}`, value });
  scalars.push({ tag: 'federation/round_duration_ms', value: result.durationMs });
  scalars.push({ tag: 'federation/failures', value: result.failures.length });
  return scalars;
}
