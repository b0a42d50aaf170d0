import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResearcherError } from '@fedbiomed/researcher';
import { Command, CommanderError } from 'commander';
import { registerCertsCommands } from './certs-commands';
import { registerDemoCommand } from './demo-command';
import { registerNodeCommands } from './node-commands';
import { registerResearcherCommands } from './researcher-commands';
import { registerSimulateCommand } from './simulate-command';

/** Builds the `fedbiomed` command with every verb registered. */
export function buildProgram(): Command {
  const program = new Command('fedbiomed')
    .description('Fed-BioMed TS: federated learning for biomedical research')
    .version(cliVersion(), '-V, --version', 'print the version of fedbiomed')
    .exitOverride()
    .showHelpAfterError();
  registerNodeCommands(program);
  registerResearcherCommands(program);
  registerSimulateCommand(program);
  registerDemoCommand(program);
  registerCertsCommands(program);
  return program;
}

/** The version in this package's package.json (one folder above both `src/` and `dist/`). */
function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * Runs the CLI on `argv` and resolves to the process exit code. Typed errors are mapped to exit
 * codes here, at the top, and nowhere else.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeFor(error);
  }
}

/** Exit codes: 2 for a usage error, 130 for an interrupted experiment (as shells report SIGINT), 1 otherwise. */
function exitCodeFor(error: unknown): number {
  if (error instanceof ResearcherError) {
    if (error.code === 'ABORTED') return 130;
    if (error.code === 'INVALID_OPTION') return 2;
  }
  return 1;
}
