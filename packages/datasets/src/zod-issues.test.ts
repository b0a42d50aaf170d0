/**
 * Option errors in words: each sentence names the option, what it expects and what was given,
 * checked through the adapters' real validation (no file is read before the options pass).
 */
import { z } from 'zod';
import { createAdapterRegistry } from './registry';
import { describeZodIssues } from './zod-issues';

const validate = (type: string, options: unknown): Promise<string> =>
  createAdapterRegistry()
    .validate({ type, path: '/nowhere/data.csv', options })
    .then(
      () => 'no error',
      (error: Error) => error.message,
    );

describe('dataset option errors', () => {
  it.each([
    ['csv', {}, 'INVALID_OPTION: option "label" is missing (expected the label column\'s name or index, or a list of them) (file /nowhere/data.csv)'],
    ['csv', { label: 'y', task: 'kmeans' }, 'option "task" must be one of "classification", "regression", got "kmeans"'],
    ['csv', { label: 'y', skipLines: -1 }, 'option "skipLines" must be >= 0, got -1'],
    ['csv', { label: 'y', features: [] }, 'option "features" must have at least 1 item(s), got []'],
    ['csv', { label: 'y', features: ['a', 1.5] }, 'option "features[1]" must be a string or an integer, got 1.5'],
    ['csv', { label: 'y', missing: 'ignore' }, 'option "missing" must be one of "refuse", "drop" or an object, got "ignore"'],
    ['csv', { label: 'y', missing: { impute: 'mode' } }, 'option "missing.impute" must be one of "mean", "median", "constant", got "mode"'],
    ['csv', { label: 'y', missing: { impute: 'constant' } }, 'option "missing.value": "value" goes with "impute": "constant", and only with it, got nothing'],
    ['csv', { label: 'y', lable: 'z' }, 'unknown option "lable" (known: categories, columnTypes, delimiter, features, header, label, missing, missingTokens, oneHotDropFirst, skipLines, split, survival, task)'],
    ['images', { size: [64] }, 'option "size" must have at least 2 item(s), got [64]'],
    ['medical-folder', { modalities: ['T1'], label: { column: 'y' } }, 'option "demographics" is missing (expected an object)'],
  ])('%s %j', async (type, options, sentence) => {
    const message = await validate(type, options);
    expect(message).toContain(sentence);
    expect(message).not.toMatch(/✖|→/);
  });

  it('words other schemas too: "field" by default, paths into arrays and nested objects', () => {
    const schema = z.strictObject({ rounds: z.number().int().positive(), nodes: z.array(z.strictObject({ id: z.string() })) });
    const input = { rounds: 0, nodes: [{ id: 'a' }, { id: 7, extra: true }] };
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    expect(describeZodIssues(result.error!.issues, input, { schema })).toEqual([
      'field "rounds" must be > 0, got 0',
      'field "nodes[1].id" must be a string, got 7',
      'unknown field "nodes[1].extra"',
    ]);
  });

  it('names the values a discriminated union accepts when none matches', () => {
    const schema = z.array(z.discriminatedUnion('kind', [z.object({ kind: z.literal('count') }), z.object({ kind: z.literal('mean'), features: z.array(z.string()) })]));
    const input = [{ kind: 'median' }];
    const parsed = schema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(describeZodIssues(parsed.error!.issues, input)).toEqual(['field "[0].kind" must be one of "count", "mean", got "median"']);
  });
});
