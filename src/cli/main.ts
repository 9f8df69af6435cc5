// The CLI entry: parses, runs one command, and maps every error to an exit status in this one spot.
// Nothing below bin/ calls process.exit.
import { CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { isVctpError } from '../core/errors.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USER_ERROR, exitCodeFor } from './exit-codes.js';
import { translateLegacyArgs } from './legacy-args.js';
import { buildProgram } from './program.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const program = buildProgram(packageVersion()).exitOverride();
  try {
    await program.parseAsync(translateLegacyArgs(argv), { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR;
    if (isVctpError(error)) {
      stderr.write(`vctp: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    stderr.write(`vctp: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
