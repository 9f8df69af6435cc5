// Where reports go and how they get there: reports_dir/<kind>/<period>.xlsx, written through
// src/files/atomic-write (temp file beside it, fsync, rename), so a reader (or a crash) never sees
// half a workbook. An unwritable directory fails before any work, naming the setting (or --out) to fix;
// one that cannot be created (under /proc, say) fails at once too (src/files/ensure-directory.ts).
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { VctpError } from '../core/errors.js';
import { beginAtomicReplace, type AtomicReplacement } from '../files/atomic-write.js';
import { ensureDirectory } from '../files/ensure-directory.js';

export type ReportKind = 'hourly' | 'daily' | 'monthly';

/** The stable file of a report: `hourly/2026-04-21T13.xlsx`, `daily/2026-04-21.xlsx`, `monthly/2026-04.xlsx`. */
export function reportPath(reportsDir: string, kind: ReportKind, period: string, vcenters: readonly string[] = []): string {
  // A report limited to some vCenters must not overwrite the full one of the same period.
  const only = vcenters.length === 0 ? '' : `_${[...vcenters].sort().map((v) => v.replace(/[^A-Za-z0-9.-]+/g, '_')).join('+')}`;
  return join(resolve(reportsDir), kind, `${period}${only}.xlsx`);
}

/** Where the target came from, for the error message: `settings.reports_dir` or `--out`. */
export interface TargetOrigin {
  key: string;
  code: 'config' | 'usage';
}

function writeError(origin: TargetOrigin, what: string, error: unknown): VctpError {
  const e = error as NodeJS.ErrnoException;
  const reason = e.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String(e?.message ?? error);
  return new VctpError(origin.code, `${origin.key}: ${what} (${reason}); no report was written`, { cause: error });
}

/**
 * Runs `write(tempPath)` and commits the result over `target` (fsynced, renamed, directory fsynced).
 * The temp file is created first, so a directory we cannot write fails at once; on any failure the
 * temp file is removed and `target` is left as it was.
 */
export async function writeReportFile(target: string, origin: TargetOrigin, write: (tempPath: string) => Promise<void>): Promise<void> {
  const dir = dirname(target);
  try {
    await ensureDirectory(dir);
  } catch (error) {
    throw writeError(origin, `cannot create the report directory ${dir}`, error);
  }
  let replacement: AtomicReplacement;
  try {
    // A report replaced by another user (root by hand, then the timer's account) need not keep its owner.
    // 0640: chargeback data gets no more access than the settings (README "File modes").
    replacement = await beginAtomicReplace(target, { mode: 0o640, keepOwner: 'best-effort' });
  } catch (error) {
    throw writeError(origin, `cannot write into the report directory ${dir}`, error);
  }
  try {
    await write(replacement.tempPath);
    await replacement.commit();
  } catch (error) {
    await replacement.discard();
    const code = (error as NodeJS.ErrnoException).code;
    if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EISDIR', 'ENOTDIR'].includes(code)) {
      throw writeError(origin, `cannot write ${target}`, error);
    }
    throw error;
  }
}

/** The file's modification time in unix seconds, or null when it does not exist. */
export async function reportFileTime(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs / 1000;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
