import { compressionSpecSchema } from './compression-spec';

/** `ok`, or the issues (path: message) a plan's `compression` field would be refused with. */
export function buildPlanSpecCheck(spec: unknown): string {
  const parsed = compressionSpecSchema.safeParse(spec);
  return parsed.success ? 'ok' : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}
