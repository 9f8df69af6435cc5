// Figures -> exposition text: every spec family with its type, labels and value; unknown (null)
// figures leave their series out; each job's textfile carries only its own series, labelled job.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricFigures } from '../../src/core/metric-figures.js';
import { FAMILIES } from '../../src/metrics/families.js';
import { exposition, jobRegistry, metricsRegistry } from '../../src/metrics/registry.js';
import { textfileName } from '../../src/metrics/textfile-publisher.js';

const JOBS = [
  'snapshot',
  'aggregate-daily',
  'aggregate-monthly',
  'report-hourly',
  'report-daily',
  'report-monthly',
  'report-pending',
  'backfill',
  'repair',
  'retention',
  'db-cleanup',
  'db-migrate',
];

/** The spec's families (original README) and the two we added, with their types and labels. */
const SPEC: Record<string, { type: 'counter' | 'gauge'; labels: string[] }> = {
  vctp_hourly_snapshots_total: { type: 'counter', labels: [] },
  vctp_hourly_snapshots_failed_total: { type: 'counter', labels: [] },
  vctp_hourly_snapshot_last_unix: { type: 'gauge', labels: [] },
  vctp_hourly_snapshot_last_rows: { type: 'gauge', labels: [] },
  vctp_daily_aggregations_total: { type: 'counter', labels: [] },
  vctp_daily_aggregations_failed_total: { type: 'counter', labels: [] },
  vctp_daily_aggregation_duration_seconds: { type: 'gauge', labels: [] },
  vctp_monthly_aggregations_total: { type: 'counter', labels: [] },
  vctp_monthly_aggregations_failed_total: { type: 'counter', labels: [] },
  vctp_monthly_aggregation_duration_seconds: { type: 'gauge', labels: [] },
  vctp_reports_available: { type: 'gauge', labels: [] },
  vctp_reports_pending: { type: 'gauge', labels: [] },
  vctp_vcenter_connect_failures_total: { type: 'counter', labels: ['vcenter'] },
  vctp_vcenter_snapshot_duration_seconds: { type: 'gauge', labels: ['vcenter'] },
  vctp_vcenter_inventory_size: { type: 'gauge', labels: ['vcenter'] },
  vctp_vcenter_last_snapshot_timestamp_seconds: { type: 'gauge', labels: ['vcenter'] },
  vctp_job_last_success_timestamp_seconds: { type: 'gauge', labels: ['job'] },
  vctp_job_duration_seconds: { type: 'gauge', labels: ['job'] },
  vctp_job_last_outcome: { type: 'gauge', labels: ['job'] },
};

function figures(): MetricFigures {
  return {
    jobs: [
      { job: 'aggregate-daily', runs: 3, failed: 1, lastOutcome: 'ok', lastDurationSeconds: 12.5, lastSuccessUnix: 1776816000 },
      { job: 'report-daily', runs: 2, failed: 0, lastOutcome: 'ok', lastDurationSeconds: 4, lastSuccessUnix: 1776816100 },
      { job: 'snapshot', runs: 10, failed: 2, lastOutcome: 'failed', lastDurationSeconds: 31.25, lastSuccessUnix: 1776812400 },
    ],
    hourlySnapshots: { total: 19, failed: 3, lastDurationSeconds: 31.25, lastUnix: 1776812400, lastRows: 10040 },
    dailyAggregations: { total: 6, failed: 1, lastDurationSeconds: 12.5 },
    monthlyAggregations: { total: 2, failed: 0, lastDurationSeconds: 40 },
    vcenters: [
      { vcenter: 'vc1.example.com', failedAttempts: 0, lastDurationSeconds: 30.5, inventorySize: 10000, lastSnapshotUnix: 1776812400 },
      { vcenter: 'vc2.example.com:8443', failedAttempts: 5, lastDurationSeconds: 2, inventorySize: 40, lastSnapshotUnix: 1776805200 },
      // Never stored a snapshot: only its failures are known.
      { vcenter: 'vc3', failedAttempts: 3, lastDurationSeconds: 1.5, inventorySize: null, lastSnapshotUnix: null },
    ],
    reports: { available: 7, pending: 2 },
  };
}

interface Parsed {
  help: Map<string, string>;
  types: Map<string, string>;
  /** name -> series as `{a="x",b="y"}` (labels sorted) -> value */
  samples: Map<string, Map<string, number>>;
}

/** A strict reader of the text format, enough to check what prom-client wrote. */
function parse(text: string): Parsed {
  const parsed: Parsed = { help: new Map(), types: new Map(), samples: new Map() };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# HELP (\S+) (.+)$/.exec(line);
    if (m) {
      parsed.help.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
    if (m) {
      parsed.types.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unexpected line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort();
    const series = parsed.samples.get(m[1]!) ?? new Map<string, number>();
    const key = `{${labels.join(',')}}`;
    assert.ok(!series.has(key), `duplicate series ${m[1]}${key}`);
    series.set(key, Number(m[3]));
    parsed.samples.set(m[1]!, series);
  }
  return parsed;
}

const value = (p: Parsed, name: string, labels = '{}'): number | undefined => p.samples.get(name)?.get(labels);

describe('metrics registry', () => {
  it('the full registry has every spec family, typed, with its help and its spec labels only', async () => {
    const p = parse(await exposition(metricsRegistry(figures())));
    assert.deepEqual([...p.types.keys()].sort(), Object.keys(SPEC).sort());
    for (const [name, spec] of Object.entries(SPEC)) {
      assert.equal(p.types.get(name), spec.type, name);
      assert.ok((p.help.get(name) ?? '').length > 20, `${name} has a help text`);
      assert.equal(name.endsWith('_total'), spec.type === 'counter', `${name}: _total exactly on counters`);
      for (const key of p.samples.get(name)?.keys() ?? []) {
        const names = [...key.matchAll(/([a-z_]+)="/g)].map((l) => l[1]);
        assert.deepEqual(names, spec.labels, `${name}${key}`);
      }
    }
    assert.equal(FAMILIES.length, Object.keys(SPEC).length, 'no family outside the spec list');
  });

  it('writes the figures as values', async () => {
    const p = parse(await exposition(metricsRegistry(figures())));
    assert.equal(value(p, 'vctp_hourly_snapshots_total'), 19);
    assert.equal(value(p, 'vctp_hourly_snapshots_failed_total'), 3);
    assert.equal(value(p, 'vctp_hourly_snapshot_last_unix'), 1776812400);
    assert.equal(value(p, 'vctp_hourly_snapshot_last_rows'), 10040);
    assert.equal(value(p, 'vctp_daily_aggregations_total'), 6);
    assert.equal(value(p, 'vctp_daily_aggregations_failed_total'), 1);
    assert.equal(value(p, 'vctp_daily_aggregation_duration_seconds'), 12.5);
    assert.equal(value(p, 'vctp_monthly_aggregations_total'), 2);
    assert.equal(value(p, 'vctp_monthly_aggregations_failed_total'), 0);
    assert.equal(value(p, 'vctp_monthly_aggregation_duration_seconds'), 40);
    assert.equal(value(p, 'vctp_reports_available'), 7);
    assert.equal(value(p, 'vctp_reports_pending'), 2);
    assert.equal(value(p, 'vctp_vcenter_connect_failures_total', '{vcenter="vc2.example.com:8443"}'), 5);
    assert.equal(value(p, 'vctp_vcenter_connect_failures_total', '{vcenter="vc1.example.com"}'), 0);
    assert.equal(value(p, 'vctp_vcenter_snapshot_duration_seconds', '{vcenter="vc1.example.com"}'), 30.5);
    assert.equal(value(p, 'vctp_vcenter_inventory_size', '{vcenter="vc1.example.com"}'), 10000);
    assert.equal(value(p, 'vctp_vcenter_last_snapshot_timestamp_seconds', '{vcenter="vc2.example.com:8443"}'), 1776805200);
    assert.equal(value(p, 'vctp_job_last_success_timestamp_seconds', '{job="snapshot"}'), 1776812400);
    assert.equal(value(p, 'vctp_job_duration_seconds', '{job="snapshot"}'), 31.25);
    assert.equal(value(p, 'vctp_job_last_outcome', '{job="snapshot"}'), 0);
    assert.equal(value(p, 'vctp_job_last_outcome', '{job="aggregate-daily"}'), 1);
    assert.equal(p.samples.get('vctp_job_last_outcome')?.size, 3);
  });

  it('leaves out the series of unknown (null) figures instead of writing 0', async () => {
    const p = parse(await exposition(metricsRegistry({ ...figures(), monthlyAggregations: { total: 0, failed: 0, lastDurationSeconds: null } })));
    // vc3 never stored a snapshot: failures and duration yes, size and time no.
    assert.equal(value(p, 'vctp_vcenter_connect_failures_total', '{vcenter="vc3"}'), 3);
    assert.equal(value(p, 'vctp_vcenter_snapshot_duration_seconds', '{vcenter="vc3"}'), 1.5);
    assert.equal(value(p, 'vctp_vcenter_inventory_size', '{vcenter="vc3"}'), undefined);
    assert.equal(value(p, 'vctp_vcenter_last_snapshot_timestamp_seconds', '{vcenter="vc3"}'), undefined);
    // The monthly aggregation never ran: its counters are 0, its duration is absent altogether.
    assert.equal(p.types.has('vctp_monthly_aggregation_duration_seconds'), false);
    assert.equal(value(p, 'vctp_monthly_aggregations_total'), 0);

    const empty: MetricFigures = {
      jobs: [{ job: 'snapshot', runs: 1, failed: 1, lastOutcome: 'failed', lastDurationSeconds: 3, lastSuccessUnix: null }],
      hourlySnapshots: { total: 1, failed: 1, lastDurationSeconds: 3, lastUnix: null, lastRows: null },
      dailyAggregations: { total: 0, failed: 0, lastDurationSeconds: null },
      monthlyAggregations: { total: 0, failed: 0, lastDurationSeconds: null },
      vcenters: [],
    };
    const q = parse(await exposition(metricsRegistry(empty)));
    for (const name of [
      'vctp_hourly_snapshot_last_unix',
      'vctp_hourly_snapshot_last_rows',
      'vctp_job_last_success_timestamp_seconds',
      'vctp_reports_available',
      'vctp_reports_pending',
      'vctp_vcenter_inventory_size',
    ]) {
      assert.equal(q.types.has(name), false, `${name} is left out`);
    }
    assert.equal(value(q, 'vctp_job_last_outcome', '{job="snapshot"}'), 0);
    assert.equal(value(q, 'vctp_hourly_snapshots_total'), 1);
    assert.equal(value(q, 'vctp_daily_aggregations_total'), 0, 'a counter of 0 is a known figure');
  });

  it('has no default process metrics', async () => {
    const text = await exposition(metricsRegistry(figures()));
    assert.doesNotMatch(text, /^(# TYPE )?(process_|nodejs_)/m);
    for (const line of text.split('\n')) if (line && !line.startsWith('#')) assert.match(line, /^vctp_/);
  });

  it("each job's textfile has its own job series and the families it owns, every series labelled job", async () => {
    const owned: Record<string, string[]> = {
      snapshot: ['vctp_hourly_', 'vctp_vcenter_'],
      'aggregate-daily': ['vctp_daily_'],
      'aggregate-monthly': ['vctp_monthly_'],
      'report-hourly': ['vctp_reports_'],
      'report-daily': ['vctp_reports_'],
      'report-monthly': ['vctp_reports_'],
      'report-pending': ['vctp_reports_'],
    };
    const seen = new Set<string>();
    for (const job of JOBS) {
      const p = parse(await exposition(jobRegistry(job, figures())));
      for (const [name, series] of p.samples) {
        const prefixes = owned[job] ?? [];
        assert.ok(name.startsWith('vctp_job_') || prefixes.some((x) => name.startsWith(x)), `${job} must not carry ${name}`);
        for (const key of series.keys()) {
          assert.match(key, new RegExp(`job="${job}"`), `${name}${key} in ${job}'s file`);
          assert.ok(!seen.has(name + key), `${name}${key} is in two files`);
          seen.add(name + key);
        }
      }
      // Every family of the job's own groups that has a figure is there.
      for (const prefix of owned[job] ?? []) assert.ok([...p.types.keys()].some((n) => n.startsWith(prefix)), `${job} carries ${prefix}*`);
    }

    const snapshot = parse(await exposition(jobRegistry('snapshot', figures())));
    assert.equal(value(snapshot, 'vctp_hourly_snapshots_total', '{job="snapshot"}'), 19);
    assert.equal(value(snapshot, 'vctp_vcenter_inventory_size', '{job="snapshot",vcenter="vc1.example.com"}'), 10000);
    assert.equal(value(snapshot, 'vctp_job_last_outcome', '{job="snapshot"}'), 0);
    assert.equal(snapshot.samples.get('vctp_job_last_outcome')?.size, 1, "only the snapshot job's own series");
    assert.equal(snapshot.types.get('vctp_hourly_snapshots_total'), 'counter');

    const daily = parse(await exposition(jobRegistry('aggregate-daily', figures())));
    assert.deepEqual([...daily.types.keys()].sort(), [
      'vctp_daily_aggregation_duration_seconds',
      'vctp_daily_aggregations_failed_total',
      'vctp_daily_aggregations_total',
      'vctp_job_duration_seconds',
      'vctp_job_last_outcome',
      'vctp_job_last_success_timestamp_seconds',
    ]);
    assert.equal(daily.types.get('vctp_daily_aggregations_total'), 'counter');

    const report = parse(await exposition(jobRegistry('report-daily', figures())));
    assert.equal(value(report, 'vctp_reports_pending', '{job="report-daily"}'), 2);
    const { reports: _, ...withoutReports } = figures();
    const noReports = parse(await exposition(jobRegistry('report-daily', withoutReports)));
    assert.equal(noReports.types.has('vctp_reports_pending'), false);

    // A job that never ran (or only skipped) has nothing of its own: an empty file, not zeros.
    assert.equal((await exposition(jobRegistry('retention', figures()))).trim(), '');
  });

  it('names textfiles after the job', () => {
    assert.equal(textfileName('snapshot'), 'vctp_snapshot.prom');
    assert.equal(textfileName('aggregate-daily'), 'vctp_aggregate_daily.prom');
    assert.equal(textfileName('db-migrate'), 'vctp_db_migrate.prom');
    assert.throws(() => textfileName('../x'));
  });
});
