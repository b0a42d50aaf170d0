import { ResearcherError } from './errors';

/** What a selection policy sees when it picks a round's nodes. */
export interface SelectionContext {
  /** The round being configured, from 1. */
  readonly round: number;
  /** Ids of the online nodes holding a matching dataset, sorted. */
  readonly candidates: readonly string[];
  /** Seeded draws in [0, 1); the experiment saves their state in breakpoints. */
  readonly random: () => number;
}

/** A custom policy: returns the ids to train this round (a subset of `candidates`). */
export type SelectNodes = (context: SelectionContext) => readonly string[];

/**
 * Which nodes train in a round. `all` takes every candidate; `fraction` draws
 * `max(minNodes, ceil(fraction × candidates))` of them with the experiment's seeded generator;
 * `custom` calls a function.
 */
export type NodeSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'fraction'; readonly fraction: number; readonly minNodes: number }
  | { readonly kind: 'custom'; readonly name: string; readonly select: SelectNodes };

/** Every candidate trains every round (the default). */
export function selectAll(): NodeSelection {
  return { kind: 'all' };
}

/** A seeded random `fraction` of the candidates each round, never fewer than `minNodes` (when available). */
export function selectFraction(fraction: number, options: { minNodes?: number } = {}): NodeSelection {
  const minNodes = options.minNodes ?? 1;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new ResearcherError('INVALID_OPTION', `selectFraction: fraction must be in (0, 1], got ${fraction}`);
  }
  if (!Number.isInteger(minNodes) || minNodes < 1) {
    throw new ResearcherError('INVALID_OPTION', `selectFraction: minNodes must be a positive integer, got ${minNodes}`);
  }
  return { kind: 'fraction', fraction, minNodes };
}

/** A custom policy; `name` is recorded in breakpoints (the function itself must be passed again on resume). */
export function selectWith(name: string, select: SelectNodes): NodeSelection {
  return { kind: 'custom', name, select };
}

/** Applies a policy, checking that a custom one returns known, distinct candidates. */
export function applySelection(selection: NodeSelection, context: SelectionContext): string[] {
  switch (selection.kind) {
    case 'all':
      return [...context.candidates];
    case 'fraction':
      return sampleWithoutReplacement(context, selection.fraction, selection.minNodes);
    case 'custom': {
      const picked = [...selection.select(context)];
      const known = new Set(context.candidates);
      const unknown = picked.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new ResearcherError(
          'INVALID_OPTION',
          `node selection '${selection.name}' returned nodes that are not candidates in round ${context.round}: ${unknown.join(', ')}`,
        );
      }
      if (new Set(picked).size !== picked.length) {
        throw new ResearcherError('INVALID_OPTION', `node selection '${selection.name}' returned a node twice in round ${context.round}`);
      }
      return picked.sort();
    }
  }
}

/** The policy as data, for breakpoints and results (`custom` keeps only its name). */
export function describeSelection(selection: NodeSelection): Record<string, unknown> {
  return selection.kind === 'custom' ? { kind: 'custom', name: selection.name } : { ...selection };
}

function sampleWithoutReplacement(context: SelectionContext, fraction: number, minNodes: number): string[] {
  const pool = [...context.candidates];
  const count = Math.min(pool.length, Math.max(minNodes, Math.ceil(fraction * pool.length)));
  // Partial Fisher-Yates: the first `count` slots end up a uniform sample.
  for (let i = 0; i < count; i += 1) {
    const j = i + Math.floor(context.random() * (pool.length - i));
    const swap = pool[i] as string;
    pool[i] = pool[j] as string;
    pool[j] = swap;
  }
  return pool.slice(0, count).sort();
}
