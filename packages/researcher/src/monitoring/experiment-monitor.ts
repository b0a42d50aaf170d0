import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import type { ExperimentEvent } from '../experiment-events';
import type { RoundResult } from '../experiment-results';
import { metricsCsv, metricsJson } from './metrics-files';
import { TensorBoardWriter } from './tensorboard-writer';

/**
 * Writes an experiment's monitoring files in its folder as events arrive: `metrics.csv` and
 * `metrics.json` (rewritten atomically after each round, so they always match the results, also
 * after a resume) and TensorBoard scalars under `tensorboard/`.
 */
export class ExperimentMonitor {
  readonly #dir: string;
  readonly #experimentId: string;
  readonly #tensorboard: TensorBoardWriter;
  /** Per node, the local step reached in earlier rounds, so streamed scalars line up across rounds. */
  readonly #stepOffsets = new Map<string, { round: number; offset: number; last: number }>();

  constructor(dir: string, experimentId: string) {
    mkdirSync(dir, { recursive: true });
    this.#dir = dir;
    this.#experimentId = experimentId;
    this.#tensorboard = new TensorBoardWriter(join(dir, 'tensorboard'));
  }

  /** Feeds one experiment event; `results` is every round completed so far. */
  record(event: ExperimentEvent, results: readonly RoundResult[]): void {
    if (event.type === 'round-completed') {
      writeFileAtomic(join(this.#dir, 'metrics.csv'), metricsCsv(results));
      writeFileAtomic(join(this.#dir, 'metrics.json'), metricsJson(this.#experimentId, results));
      this.#tensorboard.addScalars(event.result.round, roundScalars(event.result));
    } else if (event.type === 'scalar') {
      this.#tensorboard.addScalars(this.#globalStep(event.nodeId, event.round, event.step), [
        { tag: `${event.nodeId}/${event.phase}/${event.name}`, value: event.value },
      ]);
    }
  }

  close(): void {
    this.#tensorboard.close();
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

function roundScalars(result: RoundResult): { tag: string; value: number }[] {
  const scalars: { tag: string; value: number }[] = [];
  for (const [name, value] of Object.entries(result.metricsBefore.values)) scalars.push({ tag: `federation/global/${name}`, value });
  for (const [name, value] of Object.entries(result.metricsAfter.values)) scalars.push({ tag: `federation/local/${name}`, value });
  for (const node of result.nodes) {
    for (const [name, value] of Object.entries(node.metricsBefore?.values ?? {})) scalars.push({ tag: `${node.nodeName}/global/${name}`, value });
  }
  scalars.push({ tag: 'federation/round_duration_ms', value: result.durationMs });
  scalars.push({ tag: 'federation/failures', value: result.failures.length });
  return scalars;
}
