import { type DbCleanupResult, runDbCleanup } from '../../jobs/db-cleanup.js';
import { count, fixed, printJson, stdoutOutput, type Output } from '../output.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface DbCleanupFlags {
  json?: boolean;
}

export async function dbCleanupCommand(globals: RuntimeOptions, flags: DbCleanupFlags): Promise<void> {
  const result = await withRuntime(globals, ({ settings, ctx }) => runDbCleanup(ctx, settings));
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), result);
}

function mib(bytes: number): string {
  return `${fixed(bytes / 1_048_576, 1)} MiB`;
}

function print(out: Output, result: DbCleanupResult): void {
  if (out.json) return printJson(out, result);
  out.write(`database: ${result.database}`);
  out.table(
    ['step', 'seconds', 'detail'],
    result.steps.map((s) => [s.step, fixed(s.durationMs / 1000, 2), s.detail ?? '']),
  );
  const what = result.dialect === 'sqlite' ? 'database size (page_count x page_size)' : 'size of vctp tables with indexes';
  out.write(`${what}: ${mib(result.bytesBefore)} before, ${mib(result.bytesAfter)} after (${count(result.bytesBefore)} -> ${count(result.bytesAfter)} bytes)`);
  out.write(`indexes: ${result.hourlyIndexes.note}`);
}
