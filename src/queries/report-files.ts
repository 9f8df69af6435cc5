// The XLSX workbooks under settings.reports_dir, for GET /api/report/list and
// /api/report/download/{kind}/{file}. Only what vctp writes there is served: a plain
// `<period>[_<vcenters>].xlsx` name (src/reports/report-file.ts reportPath) in reports_dir/<kind>,
// a regular file and not a symlink; the kind directory must be reports_dir/<kind> itself, not a
// link out of it. Anything else is "no such report" (or a bad name), never a file elsewhere.
import { constants, createReadStream } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { VctpError } from '../core/errors.js';
import type { ReportKind } from '../reports/report-file.js';

export type { ReportKind };
export const REPORT_KINDS: readonly ReportKind[] = ['hourly', 'daily', 'monthly'];

/**
 * A report file name: letters, digits, `.`, `_`, `+`, `-`, starting with a letter or digit (so no
 * hidden temp file of the atomic writer), ending in .xlsx, without `..`, and no longer than a file
 * name may be.
 */
const REPORT_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*\.xlsx$/;

export function isReportFileName(name: string): boolean {
  return name.length <= 255 && REPORT_FILE_NAME.test(name) && !name.includes('..');
}

export interface ReportFile {
  kind: ReportKind;
  file: string;
  /** `2026-04-21T13` (hourly), `2026-04-21` (daily) or `2026-04` (monthly). */
  period: string;
  /** The vCenters a limited report covers, as in its name (characters other than letters, digits, `.` and `-` are `_`); null for a full report. */
  vcenters: string[] | null;
  size: number;
  /** When the file was last written, unix seconds. */
  modifiedAt: number;
  /** Where the API serves it. */
  download: string;
}

/** `2026-04-21_vc1+vc2.xlsx` -> period 2026-04-21, vCenters [vc1, vc2]; the period never holds `_`. */
export function parseReportFileName(file: string): { period: string; vcenters: string[] | null } {
  const stem = file.slice(0, -'.xlsx'.length);
  const cut = stem.indexOf('_');
  if (cut < 0) return { period: stem, vcenters: null };
  return { period: stem.slice(0, cut), vcenters: stem.slice(cut + 1).split('+') };
}

/** Report files of the kinds asked (all by default): by kind, newest period first. */
export async function listReportFiles(reportsDir: string, kinds: readonly ReportKind[] = REPORT_KINDS): Promise<ReportFile[]> {
  const files: ReportFile[] = [];
  for (const kind of REPORT_KINDS.filter((k) => kinds.includes(k))) {
    const dir = await kindDirectory(reportsDir, kind);
    if (dir === null) continue;
    const entries = await readdir(dir, { withFileTypes: true }).catch(missingAsEmpty);
    const found: ReportFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !isReportFileName(entry.name)) continue;
      const info = await stat(join(dir, entry.name)).catch(() => null); // removed meanwhile
      if (!info) continue;
      found.push({
        kind,
        file: entry.name,
        ...parseReportFileName(entry.name),
        size: info.size,
        modifiedAt: Math.floor(info.mtimeMs / 1000),
        download: `/api/report/download/${kind}/${encodeURIComponent(entry.name)}`,
      });
    }
    found.sort((a, b) => (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
    files.push(...found);
  }
  return files;
}

export interface OpenedReport {
  kind: ReportKind;
  file: string;
  size: number;
  modifiedAt: number;
  /** The file's bytes; the file is closed when the stream ends or is cancelled. */
  body: ReadableStream<Uint8Array>;
}

/** Opens reports_dir/<kind>/<file> for reading; 'usage' for a name no report has, 'not-found' for no such report. */
export async function openReportFile(reportsDir: string, kind: ReportKind, file: string): Promise<OpenedReport> {
  if (!isReportFileName(file)) {
    throw new VctpError('usage', `file ${JSON.stringify(file)}: not a report file name (expected a name such as 2026-04-21.xlsx)`);
  }
  const notFound = () => new VctpError('not-found', `no ${kind} report ${file}`);
  const dir = await kindDirectory(reportsDir, kind);
  if (dir === null) throw notFound();
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a symlink named like a report is refused by the kernel, not followed out of the directory.
    handle = await open(join(dir, file), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' || code === 'EISDIR') throw notFound();
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw notFound();
  }
  const stream = createReadStream('', { fd: handle, autoClose: true });
  return { kind, file, size: info.size, modifiedAt: Math.floor(info.mtimeMs / 1000), body: Readable.toWeb(stream) as ReadableStream<Uint8Array> };
}

/** reports_dir/<kind> resolved, or null when it is missing or resolves anywhere but there (a link out). */
async function kindDirectory(reportsDir: string, kind: ReportKind): Promise<string | null> {
  let root: string;
  let dir: string;
  try {
    root = await realpath(resolve(reportsDir));
    dir = await realpath(join(root, kind));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'EACCES') throw new VctpError('config', `settings.reports_dir ${reportsDir}: vctp may not read it (EACCES)`, { cause: error });
    throw error;
  }
  return dir === join(root, kind) ? dir : null;
}

function missingAsEmpty(error: unknown): [] {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
  throw error;
}
