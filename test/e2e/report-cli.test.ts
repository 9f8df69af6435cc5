// The built `vctp` writing reports as the timers run it: `report pending` writes what is missing or
// stale and skips fresh files, `async_report_generation: false` makes aggregate and snapshot build
// their report after the commit, and a report directory the service user cannot write is a clear
// error that leaves no file and never undoes the data. Needs `npm run build`, the simulator
// (scripts/build-vcsim.sh) and, for the permission case when run as root, runuser.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { openStore } from '../../src/store/open-store.js';
import { runVctp, VCTP_BIN } from '../helpers/cli.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';
import { seedReportFleet } from '../integration/report-fixture.js';

const FIXTURE_KEYS = ['  node_charge_clusters: [ HPC ]', '  srm_activeactive_vms: [ "aa-*" ]', '  hourly_snapshot_max_age_days: 1000', '  log_output: json'];

/** Runs the binary as `nobody` (root ignores directory permissions), or as ourselves when not root. */
function runAsServiceUser(args: string[]): { code: number; stdout: string; stderr: string } {
  const command = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--', process.execPath, VCTP_BIN, ...args] : [process.execPath, VCTP_BIN, ...args];
  const r = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', env: { ...process.env, VCTP_SETTINGS: '' }, cwd: '/' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('vctp report (built binary)', () => {
  let dir: string;
  let dbPath: string;
  let reports: string;
  const settingsFile = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, ['settings:', `  database_url: ${dbPath}`, ...FIXTURE_KEYS, ...lines, ''].join('\n'));
    chmodSync(path, 0o644);
    return path;
  };
  const jobRuns = async (job: string) => {
    const store = await openStore({ database_driver: 'sqlite', database_url: dbPath });
    try {
      return await store.all<{ status: string; error: string | null }>(sql`SELECT status, error FROM job_runs WHERE job = ${job} ORDER BY id`);
    } finally {
      await store.close();
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-report-'));
    chmodSync(dir, 0o777); // the service-user case writes the database's WAL files here
    dbPath = join(dir, 'db.sqlite3');
    reports = join(dir, 'reports');
    const store = await openStore({ database_driver: 'sqlite', database_url: dbPath });
    await seedReportFleet(store);
    await store.close();
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o666);
  });

  it('report pending writes every missing report, skips fresh ones and rewrites stale ones', async () => {
    const settings = settingsFile('pending.yml', [`  reports_dir: ${reports}`]);
    const first = await runVctp(['-s', settings, 'report', 'pending', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const written = JSON.parse(first.stdout) as { written: { kind: string; period: string }[]; fresh: number; failed: unknown[] };
    const periods = (kind: string) => written.written.filter((w) => w.kind === kind).map((w) => w.period);
    assert.equal(periods('hourly').length, 26); // 2026-04-21T00 .. 2026-04-22T01
    assert.deepEqual(periods('daily'), ['2026-04-21', '2026-04-22']);
    assert.deepEqual(periods('monthly'), ['2026-04']);
    assert.deepEqual(written.failed, []);
    assert.ok(existsSync(join(reports, 'hourly', '2026-04-21T13.xlsx')));

    const second = await runVctp(['-s', settings, 'report', 'pending', '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout), { written: [], fresh: 29, failed: [] });

    // A file older than its data (the summaries were stored 2026-05-01) and a deleted one are rewritten.
    const stale = join(reports, 'daily', '2026-04-21.xlsx');
    utimesSync(stale, new Date('2026-04-25T00:00:00Z'), new Date('2026-04-25T00:00:00Z'));
    const missing = join(reports, 'monthly', '2026-04.xlsx');
    spawnSync('rm', [missing]);
    const third = await runVctp(['-s', settings, 'report', 'pending']);
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, /2 written, 27 up to date, 0 failed/);
    assert.ok(statSync(stale).mtimeMs > Date.parse('2026-05-01T00:00:00Z'));
    assert.ok(existsSync(missing));

    const regenerated = await runVctp(['-s', settings, 'report', 'regenerate-hourly', '--from', '2026-04-21T10:00:00Z', '--to', '2026-04-21T12:30:00Z', '--json']);
    assert.equal(regenerated.code, 0, regenerated.stderr);
    assert.deepEqual((JSON.parse(regenerated.stdout) as { written: { period: string }[] }).written.map((w) => w.period), ['2026-04-21T10', '2026-04-21T11', '2026-04-21T12']);
  });

  it('report daily: a bad report_summary_pivots entry is a settings error naming it, and nothing is written', async () => {
    const out = join(dir, 'reports-pivots');
    const settings = settingsFile('pivots.yml', [
      `  reports_dir: ${out}`,
      '  report_summary_pivots:',
      '    - metric: avg_vcpu',
      '      pivot_range: Summary!A3:H40',
      '    - metric: avg_ram',
      '      pivot_range: Summary!C10:J20',
    ]);
    const result = await runVctp(['-s', settings, 'report', 'daily', '--date', '2026-04-21']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /settings\.report_summary_pivots\[1\]\.pivot_range: overlaps the range of settings\.report_summary_pivots\[0\]/);
    assert.equal(existsSync(out), false);
  });

  it('async_report_generation: false builds the daily report right after aggregate commits', async () => {
    const out = join(dir, 'reports-sync');
    const settings = settingsFile('sync.yml', [`  reports_dir: ${out}`, '  async_report_generation: false']);
    const result = await runVctp(['-s', settings, 'aggregate', 'daily', '--date', '2026-04-21']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`daily report written: ${join(out, 'daily', '2026-04-21.xlsx')}`));
    assert.ok(existsSync(join(out, 'daily', '2026-04-21.xlsx')));
    assert.equal((await jobRuns('report-daily')).at(-1)?.status, 'ok');
  });

  it('an unwritable report directory: the aggregate still commits, the report failure is recorded and exits 2', async () => {
    const locked = join(dir, 'reports-locked');
    mkdirSync(locked, { mode: 0o755 });
    if (process.getuid?.() !== 0) chmodSync(locked, 0o555);
    const settings = settingsFile('locked.yml', [`  reports_dir: ${locked}`, '  async_report_generation: false']);

    const direct = runAsServiceUser(['-s', settings, 'report', 'daily', '--date', '2026-04-21']);
    assert.equal(direct.code, 1, direct.stderr);
    assert.match(direct.stderr, new RegExp(`settings\\.reports_dir: cannot (create|write into) the report directory ${locked}/daily \\(EACCES`));
    assert.match(direct.stderr, /no report was written/);

    const before = Date.now();
    const aggregated = runAsServiceUser(['-s', settings, 'aggregate', 'daily', '--date', '2026-04-22']);
    assert.equal(aggregated.code, 2, aggregated.stderr);
    // Printed once: the report's error line; stdout says the report failed and the data is committed.
    assert.match(aggregated.stderr, /"report":"daily","period":"2026-04-22","err":"settings\.reports_dir: [^"]*EACCES[^"]*","msg":"report failed; no file was written"/);
    assert.doesNotMatch(aggregated.stderr, /^vctp:/m);
    assert.match(aggregated.stdout, /daily report failed, no file was written; the data above is committed/);
    assert.match(aggregated.stdout, /2026-04-22/); // the aggregation's own table was printed
    const store = await openStore({ database_driver: 'sqlite', database_url: dbPath });
    try {
      const rows = await store.all<{ created_at: number }>(sql`SELECT created_at FROM snapshot_registry WHERE kind = 'daily' AND snapshot_time = ${Date.parse('2026-04-22T00:00:00Z') / 1000}`);
      assert.ok(rows.length === 2 && rows.every((r) => Number(r.created_at) * 1000 >= before - 1000), 'the day was re-aggregated and committed');
    } finally {
      await store.close();
    }
    const runs = await jobRuns('report-daily');
    assert.equal(runs.at(-1)?.status, 'failed');
    assert.match(runs.at(-1)?.error ?? '', /settings\.reports_dir/);
    assert.deepEqual(readdirSync(locked), []);
  });
});

describe('vctp snapshot with async_report_generation: false (built binary, simulator)', () => {
  let sim: Vcsim;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-report-snap-'));
    sim = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 6, certDir: join(dir, 'certs'), username: 'ops', password: 'pa55word' });
  });
  after(async () => {
    await sim?.stop();
  });

  it('writes the hourly report of the hour the snapshot was stored in', async () => {
    const settings = join(dir, 'vctp.yml');
    writeFileSync(
      settings,
      [
        'settings:',
        `  database_url: ${join(dir, 'db.sqlite3')}`,
        `  reports_dir: ${join(dir, 'reports')}`,
        '  async_report_generation: false',
        '  log_output: json',
        `  vcenter_addresses: [ "${sim.url}" ]`,
        '  vcenter_username: ops',
        '  vcenter_password: pa55word',
        `  vcenter_ca_file: ${sim.caFile}`,
        '  encryption_key: e2e-key',
        '',
      ].join('\n'),
    );
    const result = await runVctp(['-s', settings, 'snapshot', '--at', '2026-04-21T09:00:03Z']);
    assert.equal(result.code, 0, result.stderr);
    const path = join(dir, 'reports', 'hourly', '2026-04-21T09.xlsx');
    assert.match(result.stdout, new RegExp(`hourly report written: ${path}`));
    assert.ok(existsSync(path));
  });
});
