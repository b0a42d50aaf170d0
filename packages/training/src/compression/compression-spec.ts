import { z } from 'zod';
import { TrainingError } from '../errors';
import type { CompressionCodec } from './codec';
import { compressionCodec, compressionCodecNames, hasCompressionCodec } from './registry';

/** A codec as a plan names it: registry name and parameters (scalars), validated by the codec's schema. */
export const codecRefSchema = z.strictObject({
  name: z.string().min(1),
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
});
/** A codec reference in a plan. */
export type CodecRef = z.infer<typeof codecRefSchema>;

/**
 * The plan's `compression`: how updates travel up (node → researcher, as deltas new − global) and
 * the global model down (researcher → node). Part of the plan's canonical JSON and so of its hash:
 * a node's operator approves the schemes with the plan.
 */
export const compressionSpecSchema = z
  .strictObject({
    up: codecRefSchema.optional(),
    down: codecRefSchema.optional(),
    /** Error feedback on the node (the residual of each round's encoding is added to the next update); default: on for sparsifiers. */
    errorFeedback: z.boolean().optional(),
  })
  .superRefine((spec, ctx) => {
    for (const direction of ['up', 'down'] as const) {
      const ref = spec[direction];
      if (ref === undefined) continue;
      if (!hasCompressionCodec(ref.name)) {
        ctx.addIssue({ code: 'custom', path: [direction, 'name'], message: `compression codec "${ref.name}" is not registered; known: ${compressionCodecNames().join(', ')}` });
        continue;
      }
      const codec = compressionCodec(ref.name);
      if (direction === 'down' && codec.kind === 'sparsifier') {
        ctx.addIssue({ code: 'custom', path: [direction, 'name'], message: `codec "${ref.name}" is a sparsifier; the global model goes down whole (float16 or qsgd)` });
      }
      const parsed = codec.params.safeParse(ref.params);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [direction, 'params', ...issue.path.map(String)], message: issue.message });
      }
    }
  });
/** A plan's compression. */
export type CompressionSpec = z.infer<typeof compressionSpecSchema>;

/** A codec with its parameters parsed (defaults applied): ready to encode. */
export interface ResolvedCodec {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly codec: CompressionCodec<any>;
  readonly params: unknown;
}

/** Looks a reference up and parses its parameters; `INVALID_ARGUMENT` naming the problem otherwise. */
export function resolveCodec(ref: CodecRef): ResolvedCodec {
  const codec = compressionCodec(ref.name);
  const parsed = codec.params.safeParse(ref.params);
  if (!parsed.success) {
    throw new TrainingError('INVALID_ARGUMENT', `compression codec "${ref.name}": ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'params'}: ${issue.message}`).join('; ')}`);
  }
  return { codec, params: parsed.data };
}

/** Whether the node keeps an error-feedback residual for `spec`'s updates. */
export function usesErrorFeedback(spec: CompressionSpec): boolean {
  if (spec.up === undefined) return false;
  return spec.errorFeedback ?? compressionCodec(spec.up.name).kind === 'sparsifier';
}

/** The codec names a plan's compression uses (for node policy). */
export function compressionCodecsOf(spec: CompressionSpec | undefined): { up?: string; down?: string } {
  return { ...(spec?.up && { up: spec.up.name }), ...(spec?.down && { down: spec.down.name }) };
}
