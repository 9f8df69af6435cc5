// GET /metrics of `vctp serve`, on SQLite and PostgreSQL: every family of the spec (and ours), read
// from the database the real way (job runs recorded by the job-run seam, registry rows, report
// files in reports_dir), beside the server's own request metrics, in one exposition that passes
// `promtool check metrics` (Prometheus' own parser and linter) with no finding.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { hourLabel } from '../../src/core/periods.js';
import { withJobRun, type JobName } from '../../src/jobs/job-run.js';
import { reportPath } from '../../src/reports/report-file.js';
import { ENGINES } from '../helpers/db.js';
import { serverForTest, type TestServer } from '../helpers/server.js';
import { promtoolCheckMetrics } from './metrics-promtool.js';

/** Every family /metrics carries once each job has run: the spec's, our two, the jobs', the server's. */
const GOLDEN_NAMES = [
  'vctp_daily_aggregation_duration_seconds',
  'vctp_daily_aggregations_failed_total',
  'vctp_daily_aggregations_total',
  'vctp_hourly_snapshot_last_rows',
  'vctp_hourly_snapshot_last_unix',
  'vctp_hourly_snapshots_failed_total',
  'vctp_hourly_snapshots_total',
  'vctp_http_request_duration_seconds',
  'vctp_http_requests_total',
  'vctp_job_duration_seconds',
  'vctp_job_last_outcome',
  'vctp_job_last_success_timestamp_seconds',
  'vctp_monthly_aggregation_duration_seconds',
  'vctp_monthly_aggregations_failed_total',
  'vctp_monthly_aggregations_total',
  'vctp_reports_available',
  'vctp_reports_pending',
  'vctp_vcenter_connect_failures_total',
  'vctp_vcenter_inventory_size',
  'vctp_vcenter_last_snapshot_timestamp_seconds',
  'vctp_vcenter_snapshot_duration_seconds',
];

const NOW = Date.UTC(2026, 3, 21, 12);
const HOUR_1 = Date.UTC(2026, 3, 21, 8) / 1000;
const HOUR_2 = Date.UTC(2026, 3, 21, 9) / 1000;

async function seed(server: TestServer): Promise<void> {
  const { store, ctx } = server;
  await store.run(sql`INSERT INTO vcenters (name) VALUES ('vc1.example.com'), ('vc2.example.com:8443')`);
  const ids = await store.all<{ id: number; name: string }>(sql`SELECT id, name FROM vcenters ORDER BY name`);
  for (const [name, time, rows] of [
    ['vc1.example.com', HOUR_1, 9990],
    ['vc1.example.com', HOUR_2, 10000],
    ['vc2.example.com:8443', HOUR_2, 40],
  ] as const) {
    const id = ids.find((v) => v.name === name)!.id;
    await store.run(sql`INSERT INTO snapshot_registry (vcenter_id, kind, snapshot_time, row_count, duration_ms, created_at)
                        VALUES (${id}, 'hourly', ${time}, ${rows}, 1000, ${time})`);
  }
  const jobs: JobName[] = ['snapshot', 'aggregate-daily', 'aggregate-monthly'];
  for (const job of jobs) {
    await withJobRun(ctx, { job }, async (run) => {
      const vcenters = job === 'snapshot' ? ['vc1.example.com', 'vc2.example.com:8443', 'vc3.example.com'] : ['vc1.example.com', 'vc2.example.com:8443'];
      for (const vcenter of vcenters) {
        await withJobRun(ctx, { job, vcenter }, async (part) => {
          if (vcenter === 'vc3.example.com') {
            part.attempts(2);
            part.fail('connect ECONNREFUSED');
          }
        });
      }
      if (job === 'snapshot') run.fail('1 of 3 vCenters failed');
    });
  }
  // The 08:00 hourly report is written after its data; the 09:00 one is missing.
  const written = reportPath(server.settings.reports_dir, 'hourly', hourLabel(HOUR_1));
  mkdirSync(dirname(written), { recursive: true });
  writeFileSync(written, 'xlsx');
  utimesSync(written, HOUR_1 + 60, HOUR_1 + 60);
}

for (const engine of ENGINES) {
  describe(`GET /metrics (${engine})`, () => {
    let server: TestServer;
    let text: string;
    let contentType: string | null;

    before(async () => {
      server = await serverForTest({ engine, now: NOW });
      await seed(server);
      // Requests the server's own metrics then count.
      assert.equal((await server.app.request('/swagger.json')).status, 200);
      assert.equal((await server.app.request('/no/such/page')).status, 404);
      assert.equal((await server.app.request('/metrics')).status, 200);
      const response = await server.app.request('/metrics');
      assert.equal(response.status, 200);
      contentType = response.headers.get('content-type');
      text = await response.text();
    });
    after(async () => server?.close());

    it('passes promtool check metrics with no finding', () => {
      const { status, output } = promtoolCheckMetrics(text);
      assert.equal(status, 0, `${output}\n${text}`);
      assert.equal(output, '', 'no lint findings');
    });

    it('is Prometheus text format 0.0.4', () => {
      assert.match(contentType ?? '', /^text\/plain; version=0\.0\.4/);
    });

    it('carries exactly the golden families, each with one HELP and one TYPE', () => {
      const typed = [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!);
      const helped = [...text.matchAll(/^# HELP (\S+) /gm)].map((m) => m[1]!);
      assert.deepEqual([...typed].sort(), GOLDEN_NAMES);
      assert.deepEqual([...helped].sort(), GOLDEN_NAMES);
    });

    it('has the figures of the database and the reports directory', () => {
      for (const line of [
        'vctp_hourly_snapshots_total 3',
        'vctp_hourly_snapshots_failed_total 1',
        `vctp_hourly_snapshot_last_unix ${HOUR_2}`,
        'vctp_hourly_snapshot_last_rows 10040',
        'vctp_vcenter_connect_failures_total{vcenter="vc3.example.com"} 2',
        'vctp_vcenter_inventory_size{vcenter="vc1.example.com"} 10000',
        'vctp_daily_aggregations_total 2',
        'vctp_monthly_aggregations_failed_total 0',
        'vctp_job_last_outcome{job="snapshot"} 0',
        'vctp_job_last_outcome{job="aggregate-daily"} 1',
        'vctp_reports_available 1',
        'vctp_reports_pending 1',
      ]) {
        assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
      }
      // A vCenter that never stored a snapshot has no inventory size, not a 0.
      assert.doesNotMatch(text, /vctp_vcenter_inventory_size\{vcenter="vc3/);
    });

    it("counts the server's requests by route pattern, the unmatched ones under one label", () => {
      const lines = text.split('\n');
      for (const line of [
        'vctp_http_requests_total{method="GET",route="/swagger.json",status="200"} 1',
        'vctp_http_requests_total{method="GET",route="unmatched",status="404"} 1',
        'vctp_http_requests_total{method="GET",route="/metrics",status="200"} 1',
        'vctp_http_request_duration_seconds_count{method="GET",route="/swagger.json"} 1',
      ]) {
        assert.ok(lines.includes(line), `missing: ${line}\n${text}`);
      }
      assert.doesNotMatch(text, /route="\/no\/such\/page"/);
    });
  });
}
