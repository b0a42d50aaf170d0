import { StrategyError, StrategyErrorCode } from './errors';

/**
 * A config validator: anything with zod's `safeParse` shape (a zod schema fits as is). Issues name
 * the field by `path`, which {@link parseConfig} turns into the error message.
 */
export interface ConfigSchema<C> {
  safeParse(input: unknown):
    | { success: true; data: C }
    | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/**
 * Validates `input` with `schema`, throwing `INVALID_CONFIG` whose message lists every field at
 * fault (`strategy "fedadam": beta1: Too big: expected number to be <1`).
 */
export function parseConfig<C>(schema: ConfigSchema<C>, input: unknown, strategyName: string): C {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const field = issues[0]?.path.map(String).join('.') ?? '';
  const detail = issues.map((issue) => `${issue.path.map(String).join('.') || '(config)'}: ${issue.message}`).join('; ');
  throw new StrategyError(StrategyErrorCode.INVALID_CONFIG, `strategy "${strategyName}": ${detail}`, field === '' ? {} : { field });
}
