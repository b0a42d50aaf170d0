// Docs are code: every program a doc shows is run by a test or marked as a fragment (rules in
// docs/contributing.md). This test finds the blocks that break the rules, naming file:line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { docBlocks, WORKSPACE_ROOT, type DocBlock } from '@fedbiomed/test-utils';

/** Languages of blocks that show a program or a file a program reads (JSON: experiment files, config.json). */
const PROGRAM_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'sh', 'bash', 'shell', 'console', 'json']);
/** Where tests live: a doc id counts as tested when a `*.test.ts` under one of these names it. */
const TEST_ROOTS = ['packages', 'tools', 'examples'];
/** Paths of one developer's machine, meaningless in a reader's clone. */
const MACHINE_PATH = /(^|[\s"'`(=])\/(work|home|Users|root)\//;

/** README.md, docs/**\/*.md, packages/*\/README.md and examples/*\/README.md, relative to the repository root. */
function documentedFiles(): string[] {
  const docs = readdirSync(join(WORKSPACE_ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file));
  const readmes = ['packages', 'examples'].flatMap((folder) =>
    readdirSync(join(WORKSPACE_ROOT, folder))
      .map((name) => join(folder, name, 'README.md'))
      .filter((file) => existsSync(join(WORKSPACE_ROOT, file))),
  );
  return ['README.md', ...docs.sort(), ...readmes];
}

function testSources(): string[] {
  return TEST_ROOTS.flatMap((root) =>
    readdirSync(join(WORKSPACE_ROOT, root), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.test.ts') && !file.split('/').includes('node_modules') && !file.split('/').includes('dist'))
      .map((file) => readFileSync(join(WORKSPACE_ROOT, root, file), 'utf8')),
  );
}

const where = (block: DocBlock): string => `${block.file}:${block.line}`;

describe('docs that run', () => {
  const blocks = documentedFiles().flatMap((file) => docBlocks(file));

  it('finds the blocks of every documented file', () => {
    expect(blocks.length).toBeGreaterThan(20);
  });

  it('every block says its language (text for output and diagrams)', () => {
    expect(blocks.filter((block) => block.lang === '').map(where)).toEqual([]);
  });

  it('every program block is run by a test (<!-- doc: ID -->) or marked <!-- fragment -->', () => {
    const unmarked = blocks.filter((block) => PROGRAM_LANGUAGES.has(block.lang) && block.id === undefined && !block.fragment);
    expect(unmarked.map((block) => `${where(block)} (${block.lang})`)).toEqual([]);
  });

  it('no doc id is used twice', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const block of blocks.filter((b) => b.id !== undefined)) {
      const first = seen.get(block.id!);
      if (first !== undefined) duplicates.push(`${where(block)}: "${block.id}" already at ${first}`);
      else seen.set(block.id!, where(block));
    }
    expect(duplicates).toEqual([]);
  });

  it('every doc id is named by a test', () => {
    const tests = testSources();
    const untested = blocks.filter((block) => block.id !== undefined && !tests.some((source) => source.includes(`'${block.id}'`)));
    expect(untested.map((block) => `${where(block)}: "${block.id}"`)).toEqual([]);
  });

  it('no doc names a path of a developer machine', () => {
    const offenders = documentedFiles().flatMap((file) =>
      readFileSync(join(WORKSPACE_ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (MACHINE_PATH.test(line) ? [`${relative('.', file)}:${index + 1}`] : [])),
    );
    expect(offenders).toEqual([]);
  });
});
