// Runs LibreOffice headless (`soffice --convert-to`) for tests that check our XLSX files open in a
// real spreadsheet program. Debian packages: libreoffice-calc-nogui (soffice) and poppler-utils
// (pdftoppm, pdftotext) for looking at the PDF output.
//
// One private profile per test process (-env:UserInstallation), and runs serialized within the
// process: LibreOffice shares state through its profile and refuses or hangs when two instances
// use one. soffice exits 0 even when it could not load the input, so success is judged by the
// files it says it wrote.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ConvertOptions {
  /** Kill soffice after this long (default 120 s; a fresh profile makes the first run slower). */
  timeoutMs?: number;
}

let profileDir: string | undefined;
let queue: Promise<unknown> = Promise.resolve();

function profile(): string {
  if (profileDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-libreoffice-'));
    profileDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return profileDir;
}

/**
 * Converts inputPath with `soffice --headless --convert-to <format>` into outDir and returns the
 * written file. format is what --convert-to takes: 'pdf', 'ods', 'csv', or a filter with options
 * such as 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2' (sheet 2).
 * A filter that writes one file per sheet (sheet option -1) needs convertWithLibreOfficeToFiles.
 */
export async function convertWithLibreOffice(inputPath: string, format: string, outDir: string, options: ConvertOptions = {}): Promise<string> {
  const files = await convertWithLibreOfficeToFiles(inputPath, format, outDir, options);
  if (files.length !== 1) throw new Error(`soffice wrote ${files.length} files, expected one: ${files.join(', ')}`);
  return files[0] as string;
}

/** Like convertWithLibreOffice, for conversions that write several files (CSV of every sheet). */
export function convertWithLibreOfficeToFiles(inputPath: string, format: string, outDir: string, options: ConvertOptions = {}): Promise<string[]> {
  const run = queue.then(() => runSoffice(inputPath, format, outDir, options.timeoutMs ?? 120_000));
  queue = run.catch(() => undefined);
  return run;
}

function runSoffice(inputPath: string, format: string, outDir: string, timeoutMs: number): Promise<string[]> {
  const args = [
    '--headless', '--norestore', '--nolockcheck', `-env:UserInstallation=${pathToFileURL(profile()).href}`,
    '--convert-to', format, '--outdir', outDir, inputPath,
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout kills soffice.bin too, not only the launcher script.
    const child = spawn('soffice', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`soffice --convert-to ${format} ${inputPath} timed out after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = error.code === 'ENOENT' ? ' (install Debian packages libreoffice-calc-nogui poppler-utils)' : '';
      reject(new Error(`cannot run soffice${hint}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // "convert IN -> OUT using filter : F" or, per sheet, "Writing sheet NAME -> OUT".
      const written = output.split('\n').flatMap((line) => {
        const convert = /^convert .* -> (.*) using filter : /.exec(line);
        const sheet = line.startsWith('Writing sheet ') ? line.slice(line.lastIndexOf(' -> ') + 4).trim() : undefined;
        return convert?.[1] !== undefined ? [convert[1]] : sheet !== undefined ? [sheet] : [];
      });
      // With per-sheet output, the "convert" line names no file.
      const files = [...new Set(written)].filter((file) => {
        try {
          return statSync(file).mtimeMs >= started - 1000;
        } catch {
          return false;
        }
      });
      if (code !== 0 || files.length === 0 || /^Error:/m.test(output)) {
        reject(new Error(`soffice --convert-to ${format} ${inputPath} failed (exit ${code}):\n${output}`));
      } else resolve(files);
    });
  });
}
