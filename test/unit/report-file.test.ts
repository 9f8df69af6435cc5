// Reports are written atomically: a failed write leaves neither a partial file nor a temp file, and
// an unwritable report directory is a clear error naming the setting (or --out).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import { reportPath, writeReportFile } from '../../src/reports/report-file.js';

const SETTING = { key: 'settings.reports_dir', code: 'config' as const };

describe('report files', () => {
  it('names reports by kind and period, and apart when limited to some vCenters', () => {
    assert.equal(reportPath('/r', 'hourly', '2026-04-21T13'), '/r/hourly/2026-04-21T13.xlsx');
    assert.equal(reportPath('/r/', 'daily', '2026-04-21'), '/r/daily/2026-04-21.xlsx');
    assert.equal(reportPath('/r', 'monthly', '2026-04', ['vc2.example.com:8443', 'vc1']), '/r/monthly/2026-04_vc1+vc2.example.com_8443.xlsx');
  });

  it('writes through a temp file in the same directory, then renames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-report-file-'));
    const target = join(dir, 'daily', '2026-04-21.xlsx');
    let temp = '';
    await writeReportFile(target, SETTING, async (path) => {
      temp = path;
      assert.equal(readdirSync(join(dir, 'daily')).length, 1); // only the temp file so far
      await writeFile(path, 'new');
    });
    assert.match(temp, /daily\/\.2026-04-21\.xlsx\.\d+\.[0-9a-f]{8}\.tmp$/);
    assert.equal(readFileSync(target, 'utf8'), 'new');
    assert.deepEqual(readdirSync(join(dir, 'daily')), ['2026-04-21.xlsx']);
  });

  it('a failure while writing leaves the previous file as it was and no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-report-file-'));
    const target = join(dir, 'report.xlsx');
    writeFileSync(target, 'previous');
    await assert.rejects(
      writeReportFile(target, SETTING, async (path) => {
        await writeFile(path, 'half a workbook');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(readFileSync(target, 'utf8'), 'previous');
    assert.deepEqual(readdirSync(dir), ['report.xlsx']);
  });

  it('an unusable report directory is a settings error naming reports_dir, before any work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-report-file-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    let called = false;
    const error = await writeReportFile(join(dir, 'not-a-dir', 'daily', 'x.xlsx'), SETTING, async () => {
      called = true;
    }).catch((e: unknown) => e);
    assert.ok(error instanceof VctpError && error.code === 'config');
    assert.match(error.message, /^settings\.reports_dir: cannot create the report directory .*not-a-dir\/daily \(ENOTDIR: .*\); no report was written$/);
    assert.equal(called, false);

    const out = await writeReportFile(join(dir, 'not-a-dir', 'x.xlsx'), { key: '--out', code: 'usage' }, async () => undefined).catch((e: unknown) => e);
    assert.ok(out instanceof VctpError && out.code === 'usage');
    assert.match(out.message, /^--out: /);
  });

  it('a directory without write permission is refused the same way', { skip: process.getuid?.() === 0 ? 'root writes anywhere' : false }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-report-file-'));
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o555);
    const error = await writeReportFile(join(dir, 'ro', 'x.xlsx'), SETTING, async () => undefined).catch((e: unknown) => e);
    chmodSync(join(dir, 'ro'), 0o755);
    assert.ok(error instanceof VctpError);
    assert.match(error.message, /^settings\.reports_dir: cannot write into the report directory .*\(EACCES/);
    assert.deepEqual(readdirSync(join(dir, 'ro')), []);
  });
});
