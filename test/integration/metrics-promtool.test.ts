// Every per-job textfile and the full registry pass `promtool check metrics` (Prometheus' own
// parser and linter: Debian package `prometheus`). The figures come the real way: job runs recorded
// by the job-run seam into SQLite, read back by readMetricFigures, published by the textfile exporter.
// Each file is checked on its own: node_exporter merges them, concatenated they would repeat HELP.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { JobContext } from '../../src/jobs/context.js';
import { withJobRun, type JobName } from '../../src/jobs/job-run.js';
import { silentLogger } from '../../src/log/logger.js';
import { exposition, metricsRegistry } from '../../src/metrics/registry.js';
import { textfileName, textfilePublisher } from '../../src/metrics/textfile-publisher.js';
import type { Store } from '../../src/store/executor.js';
import { readMetricFigures } from '../../src/store/job-runs-repository.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { promtoolCheckMetrics } from './metrics-promtool.js';

const JOBS: JobName[] = [
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

describe('metrics pass promtool check metrics', () => {
  let db: TestDatabase;
  let store: Store;
  let dir: string;
  let ctx: JobContext;

  before(async () => {
    db = await createTestDatabase('sqlite');
    store = await db.open();
    dir = mkdtempSync(join(tmpdir(), 'vctp-promtool-'));
    let clock = Date.UTC(2026, 3, 21, 9);
    ctx = { store, log: silentLogger(), now: () => (clock += 1500), metrics: textfilePublisher(dir) };

    // Two vCenters with stored snapshots (one name needing escaping-safe characters), one that never had one.
    await store.run(sql`INSERT INTO vcenters (id, name) VALUES (1, 'vc1.example.com'), (2, 'vc2.example.com:8443')`);
    for (const [vcenterId, time, rows] of [
      [1, 1776758400, 9990],
      [1, 1776762000, 10000],
      [2, 1776762000, 40],
    ] as const) {
      await store.run(sql`INSERT INTO snapshot_registry (vcenter_id, kind, snapshot_time, row_count, duration_ms, created_at)
                          VALUES (${vcenterId}, 'hourly', ${time}, ${rows}, 1000, ${time})`);
    }

    for (const job of JOBS) {
      await withJobRun(ctx, { job }, async (run) => {
        if (job === 'snapshot') {
          for (const vcenter of ['vc1.example.com', 'vc2.example.com:8443', 'vc3.example.com']) {
            await withJobRun(ctx, { job, vcenter }, async (part) => {
              if (vcenter === 'vc3.example.com') {
                part.attempts(2);
                part.fail('connect ECONNREFUSED');
              }
            });
          }
          run.fail('1 of 3 vCenters failed');
        }
        if (job === 'aggregate-daily' || job === 'aggregate-monthly') {
          for (const vcenter of ['vc1.example.com', 'vc2.example.com:8443']) await withJobRun(ctx, { job, vcenter }, async () => undefined);
        }
        if (job.startsWith('report-')) run.reports({ available: 3, pending: 1 });
        if (job === 'retention') throw new Error('disk full');
      }).catch((error: unknown) => assert.match(String(error), /disk full/));
    }
  });
  after(async () => {
    await store?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes one textfile per job', () => {
    assert.deepEqual(readdirSync(dir).sort(), JOBS.map(textfileName).sort());
  });

  for (const job of JOBS) {
    it(`${textfileName(job)} passes on its own`, () => {
      const text = readFileSync(join(dir, textfileName(job)), 'utf8');
      assert.match(text, new RegExp(`^vctp_job_last_outcome\\{job="${job}"\\} ${job === 'snapshot' || job === 'retention' ? 0 : 1}$`, 'm'));
      const { status, output } = promtoolCheckMetrics(text);
      assert.equal(status, 0, `${output}\n--- ${textfileName(job)} ---\n${text}`);
      assert.equal(output, '', 'no lint findings');
    });
  }

  it('the snapshot textfile carries the figures of the database', () => {
    const text = readFileSync(join(dir, 'vctp_snapshot.prom'), 'utf8');
    assert.match(text, /^vctp_hourly_snapshots_total\{job="snapshot"\} 3$/m);
    assert.match(text, /^vctp_hourly_snapshots_failed_total\{job="snapshot"\} 1$/m);
    assert.match(text, /^vctp_hourly_snapshot_last_rows\{job="snapshot"\} 10040$/m);
    assert.match(text, /^vctp_hourly_snapshot_last_unix\{job="snapshot"\} 1776762000$/m);
    assert.match(text, /^vctp_vcenter_connect_failures_total\{vcenter="vc3.example.com",job="snapshot"\} 2$/m);
    assert.match(text, /^vctp_vcenter_inventory_size\{vcenter="vc1.example.com",job="snapshot"\} 10000$/m);
    assert.doesNotMatch(text, /vctp_vcenter_inventory_size\{vcenter="vc3/);
  });

  it('the full registry passes too', async () => {
    const figures = { ...(await readMetricFigures(store)), reports: { available: 3, pending: 1 } };
    const text = await exposition(metricsRegistry(figures));
    assert.match(text, /^vctp_reports_pending 1$/m);
    const { status, output } = promtoolCheckMetrics(text);
    assert.equal(status, 0, `${output}\n${text}`);
    assert.equal(output, '');
  });

  it('so does the registry of a database where nothing ran yet', async () => {
    const empty = await createTestDatabase('sqlite');
    const fresh = await empty.open();
    try {
      const text = await exposition(metricsRegistry(await readMetricFigures(fresh)));
      const { status, output } = promtoolCheckMetrics(text);
      assert.equal(status, 0, `${output}\n${text}`);
    } finally {
      await fresh.close();
      await empty.drop();
    }
  });
});
