import type { TrainingArgs } from '@fedbiomed/proto';
import type { DatasetMatch } from './discovery';
import type { TrainOutcome } from './federation';

/** Default batch size and epoch count of the node's training loop when the args leave them at 0. */
const NODE_DEFAULT_BATCH_SIZE = 32;
const NODE_DEFAULT_EPOCHS = 1;

/** The counts a strategy may weight a reply by, or why the reply is refused. */
export type ReplyWeightCheck =
  | { readonly ok: true; readonly datasetSize: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Bounds the counts a node's training reply claims, so that no node can inflate its weight in the
 * aggregate: its train split must fit in the dataset it registered at search time, and the samples
 * it processed in what the round's training arguments allow (`numUpdates × batchSize`, or
 * `epochs × train split`). A reply claiming more is refused, naming the node.
 *
 * A node predating `train_size` reports 0: its registered size (test rows included) stands in.
 */
export function checkReplyWeight(reply: TrainOutcome, match: DatasetMatch, args: TrainingArgs): ReplyWeightCheck {
  const registered = Number(match.dataset.sampleCount);
  const reported = reply.trainSize ?? 0;
  if (reported > registered) {
    return {
      ok: false,
      reason: `node ${match.nodeName} (${match.nodeId}) claims a train split of ${reported} rows, more than the ${registered} rows of dataset ${match.dataset.id} it reported at search time; reply refused`,
    };
  }
  const datasetSize = reported > 0 ? reported : registered;
  const limit = processedLimit(args, datasetSize);
  if (reply.sampleCount > limit.count) {
    return {
      ok: false,
      reason: `node ${match.nodeName} (${match.nodeId}) claims ${reply.sampleCount} samples processed, more than the ${limit.count} that ${limit.rule} allows; reply refused`,
    };
  }
  return { ok: true, datasetSize };
}

function processedLimit(args: TrainingArgs, datasetSize: number): { count: number; rule: string } {
  const numUpdates = Number(args.numUpdates ?? 0);
  if (numUpdates > 0) {
    const batchSize = Number(args.batchSize ?? 0) || NODE_DEFAULT_BATCH_SIZE;
    return { count: numUpdates * batchSize, rule: `numUpdates ${numUpdates} × batchSize ${batchSize}` };
  }
  const epochs = Number(args.epochs ?? 0) || NODE_DEFAULT_EPOCHS;
  return { count: epochs * datasetSize, rule: `epochs ${epochs} × train split ${datasetSize}` };
}
