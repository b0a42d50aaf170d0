import type { Command } from 'commander';

/** Registers this group's verbs on the `fedbiomed` program. (Placeholder until its issue lands.) */
export function registerNodeCommands(_program: Command): void {}
