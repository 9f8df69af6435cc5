// The CLI entry: parses, runs one command, and maps every error to an exit status in this one spot.
// Nothing below bin/ calls process.exit.
//
// A failure is printed once. A job logs each unit that failed (a vCenter, a period, a report) at
// error level, with its error; the command's table then says only "failed", and the error the
// command ends with, marked alreadyReported (src/cli/output.ts), sets the exit status without a
// third copy here. Every other error (a wrong flag or setting, a database that is down, a bug, or a
// failure whose log lines the log level hid) is printed here as the final `vctp: <message>` line.
import { CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { type InterruptSignal, isVctpError } from '../core/errors.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USER_ERROR, exitCodeFor } from './exit-codes.js';
import { translateLegacyArgs } from './legacy-args.js';
import { wasReported } from './output.js';
import { buildProgram } from './program.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const program = buildProgram(packageVersion()).exitOverride();
  // A reader that stops early (`vctp totals | head`) is no failure: the rest of stdout is dropped.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    await program.parseAsync(translateLegacyArgs(argv), { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR;
    if (isVctpError(error)) {
      if (!wasReported(error)) stderr.write(`vctp: ${error.message}\n`);
      return exitCodeFor(error.code, error as { signal?: InterruptSignal });
    }
    stderr.write(`vctp: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
