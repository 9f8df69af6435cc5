// `vctp demo` as a user runs it from a checkout (README "Quick start"): the built binary builds (or
// finds) VMware's simulator, captures two days of hourly history with changes and one missed hour,
// aggregates, writes the workbooks and the metrics textfiles, prints the totals, and leaves no
// simulator behind. What it stored is read back through `vctp status --json` and `vctp totals
// --json`, and LibreOffice opens its workbooks. The workbooks go to --reports-dir inside the test's
// directory, not the checkout's reports/. Needs `npm run build`, the simulator's Debian packages
// (scripts/build-vcsim.sh) and LibreOffice (libreoffice-calc-nogui), as `npm test` installs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, runVctp } from '../helpers/cli.js';
import { convertWithLibreOfficeToFiles } from '../helpers/libreoffice.js';

const CSV_ALL_SHEETS = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1';
const DAY = 86_400;

interface TotalsJson {
  rows: { vcenter: string; period: string; totals: { vmCount: number; chargeableVmCount: number; vcpuTotal: number }; samples: { expected: number; present: number; missing: number } | null }[];
}

interface StatusJson {
  vcenters: { vcenter: string; missedSnapshots: { daysChecked: number; missing: number; days: { day: string; expected: number; present: number; missing: number; source: string }[] } }[];
}

describe('vctp demo (built binary)', { timeout: 10 * 60_000 }, () => {
  let dir: string;
  let reports: string;
  let demo: CliResult;
  let days: string[];
  const settings = () => join(dir, 'vctp.yml');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-demo-'));
    reports = join(dir, 'reports');
    const started = Date.now();
    demo = await runVctp(['demo', '--dir', dir, '--days', '2', '--reports-dir', reports]);
    // The two complete UTC days before the day the demo started (a run across midnight is not worth a flake).
    const today = Math.floor(started / 1000 / DAY) * DAY;
    days = [today - 2 * DAY, today - DAY].map((t) => new Date(t * 1000).toISOString().slice(0, 10));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0, printing the changes, the missed hour and the totals table', () => {
    assert.equal(demo.code, 0, `stdout:\n${demo.stdout}\nstderr:\n${demo.stderr}`);
    const out = demo.stdout;
    for (const kind of ['created ', 'destroyed ', 'resized ', 'moved ', 'powered ']) assert.ok(out.includes(kind), `a change "${kind}" is printed`);
    assert.match(out, new RegExp(`${days[1]} \\d\\d:00  no snapshot this hour`));
    assert.match(out, /47 snapshots over 2 days/);
    // The totals tables: a row per day (the second flagged) and per month, sizes and tier shares.
    assert.match(out, /│ period\s+│\s+snapshots\s+│\s+VMs\s+│\s+vCPU\s+│\s+RAM GB\s+│\s+disk GB\s+│/);
    assert.match(out, /│ period\s+│\s+Tin\s+│\s+Bronze\s+│\s+Silver\s+│\s+Gold\s+│\s+no tier\s+│/);
    assert.match(out, new RegExp(`│ ${days[0]} │ 24/24\\s+│\\s+1\\d\\d\\.\\d\\d │`));
    assert.match(out, new RegExp(`│ ${days[1]} │ 23/24 \\(1 missed\\)\\s+│\\s+1\\d\\d\\.\\d\\d │`));
    for (const month of new Set(days.map((d) => d.slice(0, 7)))) assert.match(out, new RegExp(`│ ${month}\\s+│ \\d+/\\d+`));
    for (const day of days) assert.match(out, new RegExp(`│ ${day} │(\\s+\\d+\\.\\d%\\s+│){5}`));
    // The demo's prices and its simulator's Tenant attribute: money by tenant, every VM counted.
    assert.match(out, new RegExp(`cost of ${days[0]} to ${days[1]} by tenant \\(custom attribute Tenant\\), EUR`));
    for (const tenant of ['acme', 'globex', 'initech', 'unassigned', 'total']) assert.match(out, new RegExp(`│ ${tenant}\\s+│\\s+\\d+ │`));
    const total = /│ total\s+│\s+\d+ │.*│\s+([\d,.]+) │\n/.exec(out);
    assert.ok(total && Number(total[1]!.replace(/,/g, '')) > 0, 'the demo costs something');
    assert.ok(out.includes(join(dir, 'db.sqlite3')) || out.includes('db.sqlite3'));
  });

  it('stops the simulator and encrypts the password it wrote into the settings', () => {
    const left = spawnSync('pgrep', ['-f', `cert-dir ${join(dir, 'certs')}`], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '', 'no simulator of this demo is running');
    assert.match(readFileSync(settings(), 'utf8'), /vcenter_password: "enc:v1:/);
  });

  it('stored two days of daily summaries, the second with one missed snapshot', async () => {
    const totals = await runVctp(['-s', settings(), 'totals', '--json', '--view', 'daily', '--days', '3']);
    assert.equal(totals.code, 0, totals.stderr);
    const rows = (JSON.parse(totals.stdout) as TotalsJson).rows;
    assert.deepEqual(
      rows.map((r) => [r.period, r.samples]),
      [
        [days[0], { expected: 24, present: 24, missing: 0 }],
        [days[1], { expected: 24, present: 23, missing: 1 }],
      ],
    );
    for (const r of rows) {
      assert.ok(r.totals.vmCount >= 110 && r.totals.vmCount <= 130, `about 120 VMs: ${r.totals.vmCount}`);
      assert.ok(r.totals.chargeableVmCount > 100 && r.totals.vcpuTotal > 100);
    }

    const status = await runVctp(['-s', settings(), 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const [vcenter] = (JSON.parse(status.stdout) as StatusJson).vcenters;
    assert.ok(vcenter);
    assert.equal(vcenter.missedSnapshots.daysChecked, 2);
    assert.deepEqual(vcenter.missedSnapshots.days, [{ day: days[1], expected: 24, present: 23, missing: 1, source: 'summary' }]);

    const monthly = await runVctp(['-s', settings(), 'totals', '--json', '--view', 'monthly', '--days', '3']);
    assert.equal(monthly.code, 0, monthly.stderr);
    const months = (JSON.parse(monthly.stdout) as TotalsJson).rows.map((r) => r.period);
    assert.deepEqual(months, [...new Set(days.map((d) => d.slice(0, 7)))]);
  });

  it('wrote the daily and monthly workbooks, and LibreOffice opens them', async () => {
    const expected = [...days.map((d) => join(reports, 'daily', `${d}.xlsx`)), ...[...new Set(days.map((d) => d.slice(0, 7)))].map((m) => join(reports, 'monthly', `${m}.xlsx`))];
    for (const path of expected) {
      assert.ok(existsSync(path), `${path} exists`);
      assert.ok(demo.stdout.includes(path), `${path} is printed`);
    }
    const out = join(dir, 'csv');
    mkdirSync(out);
    for (const path of [expected[1]!, expected.at(-1)!]) {
      const sheets = (await convertWithLibreOfficeToFiles(path, CSV_ALL_SHEETS, out)).map((f) => basename(f, '.csv').slice(basename(path, '.xlsx').length + 1));
      for (const sheet of ['Report', 'Totals', 'Summary', 'VMs']) assert.ok(sheets.includes(sheet), `${basename(path)} has sheet ${sheet}: ${sheets.join(', ')}`);
      const vms = readFileSync(join(out, `${basename(path, '.xlsx')}-VMs.csv`), 'utf8').trim().split('\n');
      assert.ok(vms.length > 110, `${basename(path)}: ${vms.length - 1} VM rows`);
    }
  });

  it('published the metrics textfiles of its jobs', () => {
    const files = readdirSync(join(dir, 'metrics'));
    for (const job of ['snapshot', 'aggregate_daily', 'aggregate_monthly', 'report_daily', 'report_monthly']) {
      assert.ok(files.includes(`vctp_${job}.prom`), `vctp_${job}.prom in ${files.join(', ')}`);
    }
  });
});
