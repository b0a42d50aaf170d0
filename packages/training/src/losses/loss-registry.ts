import { TrainingError } from '../errors';
import { ExtensionRegistry } from '../extension-registry';
import { builtinLosses } from './builtin-losses';
import type { LossDefinition, LossRef, ResolvedLoss } from './loss-definition';

const losses = new ExtensionRegistry<LossDefinition>('loss', builtinLosses);

/**
 * Makes a loss available to plans by its name in this process. A plan naming it is refused by
 * nodes that have not registered it too: a node runs only the code its operator installed.
 *
 * @throws TrainingError `INVALID_ARGUMENT` when the name is malformed or already taken
 */
export function registerLoss<P extends object>(definition: LossDefinition<P>): void {
  // The registry holds definitions of any argument type; each is only ever called with what its own schema parsed.
  losses.register(definition as unknown as LossDefinition);
}

/**
 * The loss registered under `name`.
 *
 * @throws TrainingError `UNSUPPORTED` listing the registered names when there is none
 */
export function getLoss(name: string): LossDefinition {
  return losses.get(name);
}

/** Names of the registered losses, sorted. */
export function lossNames(): string[] {
  return losses.names();
}

/** The name of a plan's loss. */
export function lossName(ref: LossRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

/** A fault of a loss reference, located as zod locates issues (relative to the reference). */
export interface LossRefIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

type Bound = { readonly definition: LossDefinition; readonly params: object } | { readonly issues: readonly LossRefIssue[] };

function bind(ref: LossRef): Bound {
  const name = lossName(ref);
  const definition = losses.find(name);
  if (!definition) return { issues: [{ path: typeof ref === 'string' ? [] : ['name'], message: losses.unknown(name).message }] };
  const parsed = definition.params.safeParse(typeof ref === 'string' ? {} : ref.params);
  if (parsed.success) return { definition, params: parsed.data };
  return { issues: parsed.error.issues.map((issue) => ({ path: ['params', ...issue.path.map(String)], message: issue.message })) };
}

/** What is wrong with a loss reference: an unregistered name, or arguments its schema refuses (by argument name). */
export function lossRefIssues(ref: LossRef): readonly LossRefIssue[] {
  const bound = bind(ref);
  return 'issues' in bound ? bound.issues : [];
}

/**
 * Binds a plan's loss to its arguments (defaults filled in).
 *
 * @throws TrainingError `UNSUPPORTED` for an unknown name, `INVALID_ARGUMENT` naming a refused argument
 */
export function resolveLoss(ref: LossRef): ResolvedLoss {
  const bound = bind(ref);
  if ('issues' in bound) {
    if (!losses.has(lossName(ref))) throw losses.unknown(lossName(ref));
    const text = bound.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new TrainingError('INVALID_ARGUMENT', `loss "${lossName(ref)}": ${text}`);
  }
  const { definition, params } = bound;
  return {
    definition,
    params: params as Readonly<Record<string, unknown>>,
    outputs: definition.outputs(params),
    fn: (labels, outputs) => definition.fn(labels, outputs, params),
  };
}
