/**
 * Zod issues in words. A zod dump (`✖ Invalid input → at label`) tells an operator neither what was
 * expected nor what they gave; these sentences name the field, the expectation and the value given.
 * Lives here, the lowest package that validates with zod and that training and node both import.
 */
import { z } from 'zod';

/** One issue as zod 4 reports it; only the fields read here. */
type Issue = z.core.$ZodIssue;

/** How {@link describeZodIssues} words its sentences. */
export interface DescribeIssuesOptions {
  /** What the checked things are called: `option`, `field`, `setting`. Default `field`. */
  readonly subject?: string;
  /** The schema that was applied; lets an unknown key's sentence list the known ones. */
  readonly schema?: z.ZodType;
}

/**
 * One sentence per zod issue, e.g. `option "label" is missing (expected a string or a number)`,
 * `option "task" must be one of "classification", "regression", got "kmeans"`,
 * `unknown option "lable" (known: delimiter, header, label, …)`.
 *
 * @param issues `error.issues` of a failed `safeParse`
 * @param input the value that was parsed, to quote what was given at each issue's path
 */
export function describeZodIssues(issues: readonly Issue[], input: unknown, options: DescribeIssuesOptions = {}): string[] {
  const subject = options.subject ?? 'field';
  return issues.flatMap((issue) => describeIssue(issue, [], input, subject, options.schema));
}

function describeIssue(issue: Issue, prefix: readonly PropertyKey[], input: unknown, subject: string, schema: z.ZodType | undefined): string[] {
  const path = [...prefix, ...issue.path];
  const given = valueAt(input, path);
  const name = `${subject} ${JSON.stringify(pathText(path))}`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = keysAt(schema, path);
      return issue.keys.map((key) => `unknown ${subject} ${JSON.stringify(pathText([...path, key]))}${known === undefined ? '' : ` (known: ${known.join(', ')})`}`);
    }
    case 'invalid_union': {
      // A discriminated union whose discriminator matches no alternative lists the values it accepts.
      const accepted = (issue as { options?: readonly unknown[] }).options;
      if (issue.errors.length === 0 && accepted !== undefined) return [mismatch(name, `one of ${accepted.map((v) => JSON.stringify(v)).join(', ')}`, given)];
      const matched = issue.errors.filter((branch) => !branch.some((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value')));
      // One alternative has the right shape and failed inside: its own issues say more than "expected A or B".
      if (matched.length === 1 && matched[0] !== undefined) return matched[0].flatMap((inner) => describeIssue(inner, path, input, subject, schema));
      return [mismatch(name, issue.errors.map((branch) => branch.map(expectation).join(' and ')).join(' or '), given)];
    }
    case 'invalid_type':
    case 'invalid_value':
      return [mismatch(name, expectation(issue), given)];
    case 'too_small':
    case 'too_big':
      return [`${name} must ${bound(issue)}, got ${show(given)}`];
    default:
      return [`${name}: ${issue.message.replace(/^Invalid input: /, '')}, got ${show(given)}`];
  }
}

function mismatch(name: string, expected: string, given: unknown): string {
  return given === undefined ? `${name} is missing (expected ${expected})` : `${name} must be ${expected}, got ${show(given)}`;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

function expectation(issue: Issue): string {
  if (issue.code === 'invalid_type') return TYPE_NAMES[issue.expected] ?? issue.expected;
  if (issue.code === 'invalid_value') return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const strict = issue.inclusive === false;
  const small = issue.code === 'too_small';
  const unit = issue.origin === 'array' || issue.origin === 'set' ? 'item(s)' : issue.origin === 'string' ? 'character(s)' : undefined;
  if (unit !== undefined) return `have ${small ? 'at least' : 'at most'} ${String(strict ? Number(limit) + (small ? 1 : -1) : limit)} ${unit}`;
  return `be ${small ? (strict ? '>' : '>=') : strict ? '<' : '<='} ${String(limit)}`;
}

/** `features[0]`, `demographics.file`; `(root)` for the whole value. */
function pathText(path: readonly PropertyKey[]): string {
  const text = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
  return text === '' ? '(root)' : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The keys an object schema accepts at `path`, sorted; undefined where the schema is not an object there. */
function keysAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): string[] | undefined {
  let at: unknown = schema;
  for (const key of path) {
    const object = unwrapObject(at);
    if (object === undefined) return undefined;
    at = object.shape[String(key)];
  }
  const object = unwrapObject(at);
  return object === undefined ? undefined : Object.keys(object.shape).sort();
}

function unwrapObject(schema: unknown): z.ZodObject | undefined {
  let at = schema;
  while (at instanceof z.ZodOptional || at instanceof z.ZodDefault) at = at.unwrap();
  return at instanceof z.ZodObject ? at : undefined;
}
