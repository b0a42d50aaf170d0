import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './workspace';

/** A fenced code block of a Markdown file and the marker on the line before it. */
export interface DocBlock {
  /** File relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** Info string of the fence (`ts`, `sh`, `text`…), empty when none. */
  readonly lang: string;
  /** `<!-- doc: ID -->` before the fence: the id a test extracts it by. */
  readonly id: string | undefined;
  /** `<!-- fragment -->` before the fence: a piece of a program, not run on its own. */
  readonly fragment: boolean;
  readonly code: string;
}

const MARKER = /^<!--\s*(doc:\s*([\w.-]+)|fragment)\s*-->$/;

/** Every fenced block of `file` (relative to the repository root), with its marker. */
export function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(join(WORKSPACE_ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !lines[i]!.trimStart().startsWith(fence); i += 1) body.push(lines[i]!.slice(indent.length));
    let previous = start - 1;
    while (previous >= 0 && lines[previous]!.trim() === '') previous -= 1;
    const marker = previous >= 0 ? MARKER.exec(lines[previous]!.trim()) : null;
    blocks.push({
      file,
      line: start + 1,
      lang,
      id: marker?.[2],
      fragment: marker?.[1] === 'fragment',
      code: `${body.join('\n')}\n`,
    });
  }
  return blocks;
}

/**
 * The code of the block marked `<!-- doc: id -->` in `file`: what a test runs, so the docs show
 * exactly what is tested.
 *
 * @throws Error naming the file when no block, or more than one, carries the id
 */
export function docBlock(file: string, id: string): string {
  const found = docBlocks(file).filter((block) => block.id === id);
  if (found.length !== 1) throw new Error(`${file}: expected one code block marked <!-- doc: ${id} -->, found ${found.length}`);
  return found[0]!.code;
}
