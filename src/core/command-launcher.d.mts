import type { CommandOptions, CommandResult } from './command.js';

export function runPaced(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult>;
