import type { Command } from 'commander';

/** Each subcommand module exports one `register(program)`; add new ones to this list. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
