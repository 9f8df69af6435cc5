// Where reports go and how they get there: reports_dir/<kind>/<period>.xlsx, written to a temp
// file in the same directory and renamed over the target, so a reader (or a crash) never sees half
// a workbook. An unwritable directory fails before any work, naming the setting (or --out) to fix.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { VctpError } from '../core/errors.js';

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
 * Runs `write(tempPath)` and renames the result over `target`. The temp file is created first, so a
 * directory we cannot write fails at once; on any failure the temp file is removed and `target`
 * is left as it was.
 */
export async function writeReportFile(target: string, origin: TargetOrigin, write: (tempPath: string) => Promise<void>): Promise<void> {
  const dir = dirname(target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw writeError(origin, `cannot create the report directory ${dir}`, error);
  }
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await (await open(temp, 'wx')).close();
  } catch (error) {
    throw writeError(origin, `cannot write into the report directory ${dir}`, error);
  }
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
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
