import type { DatasetMetadata } from '@fedbiomed/proto';
import type { DatasetRecord } from '../repository';
import type { HandlerContext, HandlerResult } from './handler';

/** Answers a search: the metadata (never the data) of every dataset carrying all the tags asked (all datasets for none). */
export function handleSearch(ctx: HandlerContext): HandlerResult {
  const tags = ctx.request.search?.tags ?? [];
  const found = ctx.node.datasets.search(tags);
  ctx.node.repository.appendAudit({
    actor: ctx.researcherId,
    action: 'search',
    outcome: `${found.length} found`,
    experimentId: ctx.request.experimentId,
    requestId: ctx.request.requestId,
    detail: `tags [${tags.join(', ')}]`,
  });
  return { body: { search: { datasets: found.map(toMetadata) } } };
}

/** The contract's description of a registered dataset. */
export function toMetadata(record: DatasetRecord): DatasetMetadata {
  return {
    id: record.id,
    name: record.name,
    tags: [...record.tags],
    dataType: record.dataType,
    featureShape: [...record.featureShape],
    sampleCount: record.sampleCount,
    description: record.description,
    numClasses: record.numClasses,
    featureDtypes: [...record.featureDtypes],
    ...(record.target !== undefined && {
      targetKind: record.target.kind,
      labelShape: [...record.target.shape],
      labelColumns: [...(record.target.columns ?? [])],
    }),
    ...(record.fixedSplit !== undefined && {
      fixedSplit: { source: record.fixedSplit.source, trainCount: record.fixedSplit.train, testCount: record.fixedSplit.test },
    }),
  };
}
