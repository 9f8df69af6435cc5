// The textfile exporter end to end, as systemd would run it: the built `vctp` against the simulator
// and a vCenter that refuses connections, `--metrics-textfile-dir` on the command line and then
// settings.metrics_textfile_dir. Each job's file passes `promtool check metrics` on its own and says
// what the database says: rows = VMs captured, the failing vCenter's attempts, the latest snapshot
// time; counters grow from one process to the next.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVctp, type CliResult } from '../helpers/cli.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';
import { promtoolCheckMetrics } from '../integration/metrics-promtool.js';

/** A local port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The value of one series (labels in any order), or undefined when the file has no such series. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2]!.matchAll(/([a-z_]+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    const same = Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v);
    if (same) return Number(m[3]);
  }
  return undefined;
}

const iso = (unix: number) => new Date(unix * 1000).toISOString();

describe('metrics textfiles (built binary, simulator)', () => {
  let sim: Vcsim;
  let dir: string;
  let metricsDir: string;
  let settingsPath: string;
  let good: string;
  let bad: string;
  // Two snapshot hours of one UTC day in the past, and how to aggregate that day.
  let hours: [number, number];
  let aggregateArgs: string[];

  const vctp = (...args: string[]): Promise<CliResult> => runVctp(['-s', settingsPath, ...args]);
  const textfile = (job: string): string => readFileSync(join(metricsDir, `vctp_${job.replaceAll('-', '_')}.prom`), 'utf8');
  const passesPromtool = (job: string): void => {
    const text = textfile(job);
    const { status, output } = promtoolCheckMetrics(text);
    assert.equal(status, 0, `${output}\n--- ${job} ---\n${text}`);
    assert.equal(output, '', `promtool lint findings in ${job}'s file`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-metrics-'));
    metricsDir = join(dir, 'textfile_collector');
    mkdirSync(metricsDir);
    sim = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 6, certDir: join(dir, 'certs'), username: 'ops', password: 'pa55word' });
    const refused = `https://127.0.0.1:${await closedPort()}/sdk`;
    good = new URL(sim.url).host;
    bad = new URL(refused).host;

    const now = Math.floor(Date.now() / 1000);
    const today = now - (now % 86400);
    if (now - today >= 2 * 3600) {
      hours = [today, today + 3600];
      aggregateArgs = ['aggregate', 'daily', '--date', iso(today).slice(0, 10), '--partial'];
    } else {
      hours = [today - 7200, today - 3600];
      aggregateArgs = ['aggregate', 'daily', '--date', iso(today - 86400).slice(0, 10)];
    }

    settingsPath = join(dir, 'vctp.yml');
    writeFileSync(
      settingsPath,
      [
        'settings:',
        `  database_url: ${join(dir, 'db.sqlite3')}`,
        '  log_output: json',
        `  vcenter_addresses: [ "${sim.url}", "${refused}" ]`,
        '  vcenter_username: ops',
        '  vcenter_password: pa55word',
        `  vcenter_ca_file: ${sim.caFile}`,
        '  encryption_key: e2e-key',
        '  hourly_snapshot_retry_seconds: 1',
        '  hourly_snapshot_max_retries: 1',
        `  reports_dir: ${join(dir, 'reports')}`,
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a snapshot with one vCenter failing writes vctp_snapshot.prom with both vCenters', async () => {
    const run = await vctp('snapshot', '--at', iso(hours[0]), '--metrics-textfile-dir', metricsDir);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(readdirSync(metricsDir), ['vctp_snapshot.prom'], 'one file, no temp file left');
    assert.equal(statSync(join(metricsDir, 'vctp_snapshot.prom')).mode & 0o777, 0o644);
    passesPromtool('snapshot');

    const text = textfile('snapshot');
    const job = { job: 'snapshot' };
    assert.equal(sample(text, 'vctp_hourly_snapshots_total', job), 2);
    assert.equal(sample(text, 'vctp_hourly_snapshots_failed_total', job), 1);
    assert.equal(sample(text, 'vctp_hourly_snapshot_last_unix', job), hours[0]);
    assert.equal(sample(text, 'vctp_hourly_snapshot_last_rows', job), sim.info.vms);
    assert.equal(sample(text, 'vctp_vcenter_inventory_size', { ...job, vcenter: good }), sim.info.vms);
    assert.equal(sample(text, 'vctp_vcenter_last_snapshot_timestamp_seconds', { ...job, vcenter: good }), hours[0]);
    assert.equal(sample(text, 'vctp_vcenter_connect_failures_total', { ...job, vcenter: good }), 0);
    // Refused twice (one retry); it never stored a snapshot, so it has no size and no time.
    assert.equal(sample(text, 'vctp_vcenter_connect_failures_total', { ...job, vcenter: bad }), 2);
    assert.equal(sample(text, 'vctp_vcenter_inventory_size', { ...job, vcenter: bad }), undefined);
    assert.equal(sample(text, 'vctp_vcenter_last_snapshot_timestamp_seconds', { ...job, vcenter: bad }), undefined);
    assert.ok((sample(text, 'vctp_vcenter_snapshot_duration_seconds', { ...job, vcenter: bad }) ?? 0) >= 1, 'the retry waited a second');
    assert.equal(sample(text, 'vctp_job_last_outcome', job), 0);
    assert.ok((sample(text, 'vctp_job_duration_seconds', job) ?? -1) > 0);
    assert.equal(sample(text, 'vctp_job_last_success_timestamp_seconds', job), undefined, 'the job never fully succeeded');
  });

  it('counters grow from one process to the next', async () => {
    const run = await vctp('snapshot', '--at', iso(hours[1]), '--metrics-textfile-dir', metricsDir);
    assert.equal(run.code, 2, run.stderr);
    passesPromtool('snapshot');
    const text = textfile('snapshot');
    const job = { job: 'snapshot' };
    assert.equal(sample(text, 'vctp_hourly_snapshots_total', job), 4);
    assert.equal(sample(text, 'vctp_hourly_snapshots_failed_total', job), 2);
    assert.equal(sample(text, 'vctp_vcenter_connect_failures_total', { ...job, vcenter: bad }), 4);
    assert.equal(sample(text, 'vctp_hourly_snapshot_last_unix', job), hours[1]);
    assert.equal(sample(text, 'vctp_vcenter_last_snapshot_timestamp_seconds', { ...job, vcenter: good }), hours[1]);
  });

  it('settings.metrics_textfile_dir serves the aggregation and the reports, one file each', async () => {
    appendFileSync(settingsPath, `  metrics_textfile_dir: ${metricsDir}\n`);
    const aggregate = await vctp(...aggregateArgs);
    assert.equal(aggregate.code, 0, aggregate.stderr);
    const pending = await vctp('report', 'pending');
    assert.equal(pending.code, 0, pending.stderr);
    // report pending builds each report as a report-<kind> run of its own, and each publishes.
    const jobs = ['aggregate-daily', 'report-daily', 'report-hourly', 'report-pending', 'snapshot'];
    assert.deepEqual(readdirSync(metricsDir).sort(), jobs.map((job) => `vctp_${job.replace('-', '_')}.prom`));
    for (const job of jobs) passesPromtool(job);
    assert.equal(sample(textfile('report-hourly'), 'vctp_job_last_outcome', { job: 'report-hourly' }), 1);

    const daily = textfile('aggregate-daily');
    const job = { job: 'aggregate-daily' };
    // One run per vCenter with snapshots in the day: the refused one (known from its --at check) has none, so no run.
    assert.equal(sample(daily, 'vctp_daily_aggregations_total', job), 1);
    assert.equal(sample(daily, 'vctp_daily_aggregations_failed_total', job), 0);
    assert.ok((sample(daily, 'vctp_daily_aggregation_duration_seconds', job) ?? -1) >= 0);
    assert.equal(sample(daily, 'vctp_job_last_outcome', job), 1);
    const now = Date.now() / 1000;
    assert.ok(Math.abs((sample(daily, 'vctp_job_last_success_timestamp_seconds', job) ?? 0) - now) < 120);
    assert.doesNotMatch(daily, /vctp_hourly_|vctp_vcenter_|job="snapshot"/, "the snapshot's series stay in its own file");

    const reports = textfile('report-pending');
    // Two hourly reports and the day's.
    assert.equal(sample(reports, 'vctp_reports_available', { job: 'report-pending' }), 3);
    assert.equal(sample(reports, 'vctp_reports_pending', { job: 'report-pending' }), 0);
    assert.equal(sample(reports, 'vctp_job_last_outcome', { job: 'report-pending' }), 1);
  });

  it('a missing textfile directory is an error naming it and the setting, and is not created', async () => {
    const missing = join(dir, 'no-such-dir');
    const run = await vctp('snapshot', '--metrics-textfile-dir', missing, '--vcenter', good);
    assert.match(run.stderr, /settings\.metrics_textfile_dir/);
    assert.ok(run.stderr.includes(missing), run.stderr);
    assert.equal(existsSync(missing), false);
  });
});
