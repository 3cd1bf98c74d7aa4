import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';

/** Builds the `ecglab` program: a thin table of subcommands over the libraries' APIs. */
export function buildProgram(): Command {
  const program = new Command('ecglab')
    .description('Robust ECG classification from signals and paper images')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code. Errors are reported as one line naming the
 * problem; a stack trace is printed only with ECGLAB_DEBUG=1.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown })?.code;
    process.stderr.write(`ecglab: ${typeof code === 'string' ? `[${code}] ` : ''}${message}\n`);
    if (process.env.ECGLAB_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
