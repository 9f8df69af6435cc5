// The job-run seam on both databases: what withJobRun records for each outcome, when it publishes
// metrics, and the figures readMetricFigures derives from job_runs and the registry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MetricFigures } from '../../src/core/metric-figures.js';
import { VctpError } from '../../src/core/errors.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import type { JobContext } from '../../src/jobs/context.js';
import { withJobRun } from '../../src/jobs/job-run.js';
import type { Store } from '../../src/store/executor.js';
import { latestJobRuns, readMetricFigures } from '../../src/store/job-runs-repository.js';
import { vm } from '../helpers/builders.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase, truncateAll } from '../helpers/db.js';

const T0 = Date.UTC(2026, 3, 21, 12);
const SETTINGS = {
  tier_patterns: { tin: ['Tin'], bronze: ['Bronze'], silver: ['Silver'], gold: ['Gold'] },
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
};

/** A context whose clock advances by `stepMs` at every reading, and that keeps what it published. */
function recordingContext(store: Store, stepMs = 1500): { ctx: JobContext; published: { job: string; figures: MetricFigures }[] } {
  let clock = T0;
  const published: { job: string; figures: MetricFigures }[] = [];
  const ctx: JobContext = {
    ...testContext(store),
    now: () => (clock += stepMs),
    metrics: { publish: async (job, figures) => void published.push({ job, figures }) },
  };
  return { ctx, published };
}

for (const engine of ENGINES) {
  describe(`job-run seam (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('records a successful whole run with its rows and duration, then publishes the job', async () => {
      await truncateAll(store);
      const { ctx, published } = recordingContext(store);
      const value = await withJobRun(ctx, { job: 'backfill' }, async (run) => {
        run.rows(42);
        return 'done';
      });
      assert.equal(value, 'done');
      const [row] = await latestJobRuns(store);
      assert.deepEqual(
        { job: row!.job, vcenter: row!.vcenter, status: row!.status, rows: row!.rows, attempts: row!.attempts, error: row!.error, durationMs: row!.durationMs },
        { job: 'backfill', vcenter: null, status: 'ok', rows: 42, attempts: 1, error: null, durationMs: 1500 },
      );
      assert.deepEqual(published.map((p) => p.job), ['backfill']);
      const figures = published[0]!.figures;
      assert.deepEqual(figures.jobs, [
        { job: 'backfill', runs: 1, failed: 0, lastOutcome: 'ok', lastDurationSeconds: 1.5, lastSuccessUnix: row!.finishedAt },
      ]);
    });

    it('records a thrown error as a failed run and rethrows it; a wrong flag is no run at all', async () => {
      await truncateAll(store);
      const { ctx, published } = recordingContext(store);
      await assert.rejects(
        withJobRun(ctx, { job: 'retention' }, async () => {
          throw new VctpError('database', 'database is locked');
        }),
        /database is locked/,
      );
      await assert.rejects(
        withJobRun(ctx, { job: 'retention' }, async () => {
          throw new VctpError('usage', '--date 2026-13-01: expected a calendar date');
        }),
        /--date/,
      );
      const runs = await latestJobRuns(store);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.status, 'failed');
      assert.equal(runs[0]!.error, 'database is locked');
      assert.equal(published.length, 1, 'only the recorded run publishes');
      assert.equal(published[0]!.figures.jobs[0]!.lastOutcome, 'failed');
      assert.equal(published[0]!.figures.jobs[0]!.lastSuccessUnix, null);
    });

    it('counts partial failures and skips as the seam says, and publishes only whole runs', async () => {
      await truncateAll(store);
      const { ctx, published } = recordingContext(store);
      // A snapshot of two vCenters: one stored (after a retry), one failed; the whole run fails.
      await withJobRun(ctx, { job: 'snapshot' }, async (run) => {
        await withJobRun(ctx, { job: 'snapshot', vcenter: 'vc1' }, async (part) => {
          part.attempts(2);
          part.rows(3);
        });
        await withJobRun(ctx, { job: 'snapshot', vcenter: 'vc2' }, async (part) => {
          part.attempts(4);
          throw new Error('connect ECONNREFUSED');
        }).catch(() => undefined);
        run.fail('1 of 2 vCenters failed');
      });
      // Another run found the lock held.
      await withJobRun(ctx, { job: 'snapshot' }, async (run) => run.skip('lock held by host:1'));

      assert.deepEqual(published.map((p) => p.job), ['snapshot'], 'the skipped run publishes nothing');
      const figures = await readMetricFigures(store);
      assert.deepEqual(figures.jobs.map((j) => ({ job: j.job, runs: j.runs, failed: j.failed, lastOutcome: j.lastOutcome })), [
        { job: 'snapshot', runs: 1, failed: 1, lastOutcome: 'failed' },
      ]);
      assert.equal(figures.hourlySnapshots.total, 2);
      assert.equal(figures.hourlySnapshots.failed, 1);
      const byName = new Map(figures.vcenters.map((v) => [v.vcenter, v]));
      assert.equal(byName.get('vc1')!.failedAttempts, 1, 'one retry before it worked');
      assert.equal(byName.get('vc2')!.failedAttempts, 4, 'every attempt failed');
      assert.equal(byName.get('vc1')!.inventorySize, null, 'no snapshot stored in the registry yet');
    });

    it('derives the latest snapshot per vCenter from the registry', async () => {
      await truncateAll(store);
      const ctx = testContext(store);
      const t1 = 1_776_772_800;
      await captureInventory(ctx, SETTINGS, { vcenter: 'vc1', snapshotTime: t1, records: [vm('vm-1'), vm('vm-2')] });
      await captureInventory(ctx, SETTINGS, { vcenter: 'vc1', snapshotTime: t1 + 3600, records: [vm('vm-1'), vm('vm-2'), vm('vm-3')] });
      await captureInventory(ctx, SETTINGS, { vcenter: 'vc2', snapshotTime: t1 + 1800, records: [vm('vm-9')] });
      const figures = await readMetricFigures(store);
      assert.deepEqual(
        figures.vcenters.map((v) => [v.vcenter, v.inventorySize, v.lastSnapshotUnix]),
        [
          ['vc1', 3, t1 + 3600],
          ['vc2', 1, t1 + 1800],
        ],
      );
      assert.equal(figures.hourlySnapshots.lastUnix, t1 + 3600);
      assert.equal(figures.hourlySnapshots.lastRows, 4);
    });
  });
}
