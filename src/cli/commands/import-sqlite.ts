// `vctp import-sqlite FILE` (alias -import-sqlite FILE): copies a vctp SQLite database into the
// configured PostgreSQL database (src/jobs/import-sqlite.ts), then prints each table's row counts
// and checksums as read from the file and as PostgreSQL holds them.
import { assertImportTarget } from '../../app/import-target.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';
import { VctpError } from '../../core/errors.js';
import { type ImportProgress, type ImportSqliteResult, openImportSource, runImportSqlite } from '../../jobs/import-sqlite.js';
import { count, fixed, printJson, stdoutOutput, type Output } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';
import { StatusLine } from '../progress.js';

export interface ImportSqliteFlags {
  lockWait?: string;
  json?: boolean;
}

export async function importSqliteCommand(globals: RuntimeOptions, file: string, flags: ImportSqliteFlags): Promise<void> {
  const lockWait = flags.lockWait === undefined ? undefined : parseIntegerFlag('--lock-wait', flags.lockWait);
  // Refusals first, before the target is opened (which would create its schema): the target's
  // driver, then the file.
  await assertImportTarget(globals);
  const source = await openImportSource(file);
  const line = new StatusLine();
  let result: ImportSqliteResult;
  try {
    result = await withRuntime({ ...globals, logDestination: line.stream }, async ({ settings, ctx, interactive }) => {
      const progress = importProgress(!flags.json && !globals.quiet && interactive, line);
      try {
        return await runImportSqlite(ctx, source, { lockWaitSeconds: lockWait ?? settings.lock_wait_seconds, onProgress: progress });
      } finally {
        line.clear();
      }
    });
  } finally {
    source.close();
  }
  if (!result.imported) {
    throw new VctpError('lock', `import-sqlite: another run holds a job lock (${result.lockHolder ?? 'unknown'}); nothing was imported. Run it again when that run ends, or give --lock-wait more seconds.`);
  }
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), result);
}

/** `[######..............] 31% 1,234,567/3,982,311 rows  vm_spans`, redrawn at most every 100 ms; nothing when not enabled. */
function importProgress(enabled: boolean, line: StatusLine): (p: ImportProgress) => void {
  if (!enabled) return () => {};
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    const width = 20;
    const share = p.total === 0 ? 1 : p.done / p.total;
    const filled = Math.round(share * width);
    const what = p.phase === 'copy' ? `copying ${p.table}` : `verifying ${p.table}`;
    line.show(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${count(p.done)}/${count(p.total)} rows  ${what}`);
  };
}

function print(out: Output, result: ImportSqliteResult): void {
  if (out.json) return printJson(out, result);
  out.write(`imported ${result.source} into ${result.target}`);
  // Printed after a commit only, so every table matched: one count and one checksum per table.
  out.table(
    ['table', { head: 'rows', align: 'right' }, 'checksum', 'verified'],
    result.tables.map((t) => [t.table, t.sourceRows, t.sourceChecksum, t.match ? 'yes' : 'NO']),
  );
  out.write(
    `${count(result.rows)} rows in ${fixed(result.ms / 1000, 1)} s (${count(Math.round(result.rowsPerSecond))} rows/s), one transaction; ` +
      'every table above was replaced; its row count and checksum in PostgreSQL equalled the file\'s before the commit',
  );
}
