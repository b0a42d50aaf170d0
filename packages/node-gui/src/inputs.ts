/**
 * What the GUI's forms and its JSON API accept, checked by one zod schema each: a form sends
 * strings (tags comma-separated, options as JSON text), the API may send arrays and objects.
 */
import { z } from 'zod';
import { USER_ROLES, type AddDatasetInput, type UserRole } from '@fedbiomed/node';

const text = z.string().trim();
const optionalText = text.optional().transform((value) => (value === '' ? undefined : value));

const tags = z.union([z.array(text), text.transform((value) => value.split(','))]).transform((items) => items.map((item) => item.trim()).filter((item) => item !== ''));

const options = z
  .union([
    z.record(z.string(), z.unknown()),
    text.transform((value, ctx) => {
      if (value === '') return {};
      try {
        const parsed = JSON.parse(value) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'options must be a JSON object, e.g. {"label": "target"}' });
      return z.NEVER;
    }),
  ])
  .default({});

/** The dataset form and `POST /api/datasets`. */
export const datasetInputSchema = z.object({
  type: text.min(1, 'choose a dataset type'),
  path: text.min(1, 'give the path of a file or folder'),
  tags: tags.default([]),
  name: optionalText,
  description: optionalText,
  options,
});

/** A plan decision: the note kept with it. */
export const decisionSchema = z.object({ notes: optionalText });

/** Audit filters (query string). */
export const auditQuerySchema = z.object({
  actor: optionalText,
  action: optionalText,
  plan: optionalText,
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const role = z.enum(USER_ROLES as [UserRole, ...UserRole[]]);

/** A new user. */
export const newUserSchema = z.object({ name: text.min(1, 'give a user name'), role, password: z.string() });

/** A role change. */
export const roleSchema = z.object({ role });

/** Login form. */
export const loginSchema = z.object({ name: text, password: z.string() });

/** The registry's input from a checked dataset form. */
export function toAddDatasetInput(input: z.output<typeof datasetInputSchema>): AddDatasetInput {
  return {
    dataType: input.type,
    path: input.path,
    tags: input.tags,
    options: input.options,
    ...(input.name !== undefined && { name: input.name }),
    ...(input.description !== undefined && { description: input.description }),
  };
}

/** A refused input in words: each zod issue as `field: message`, other errors by their message. */
export function inputErrorMessage(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}
