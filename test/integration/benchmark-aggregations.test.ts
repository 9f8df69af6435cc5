// `vctp benchmark aggregations` on both databases with a tiny synthetic fleet: the bulk-loaded
// spans are what capture would have stored (vm_hourly_stats counts, registry rows, no overlapping
// spans), every engine and window gets a result, scratch databases are checked and cleaned up,
// and the configured database is measured without being changed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { type FleetSpec, generateFleet, presentCounts } from '../../src/core/synthetic-fleet.js';
import { BENCHMARK_WINDOWS, benchmarkAggregations, type AggregationBenchmarkReport } from '../../src/jobs/benchmark-aggregations.js';
import type { AggregationSettings } from '../../src/jobs/aggregation-settings.js';
import { monthPeriod } from '../../src/core/periods.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import { silentLogger } from '../../src/log/logger.js';
import { floorSources, runFloor } from '../../src/store/benchmark-floor.js';
import { removePeriodSummaries } from '../../src/store/bulk-load.js';
import { listVcenters } from '../../src/store/vcenter-repository.js';
import type { Store } from '../../src/store/executor.js';
import type { StoreSettings } from '../../src/store/open-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const FLEET: FleetSpec = {
  name: 'tiny',
  vcenters: 2,
  vmsPerVcenter: 40,
  start: Date.UTC(2026, 2, 29) / 1000, // the last 3 days of March 2026
  days: 3,
  snapshotSeconds: 3600,
  // Rates well above the reference so that 40 VMs see every kind of change in 3 days.
  rates: { churn: 0.1, resize: 0.05, move: 0.05 },
  seed: 7,
};
const NOW = Date.UTC(2026, 3, 5, 12);
const AGGREGATION: AggregationSettings = {
  vcenter_inventory_snapshot_seconds: 3600,
  scheduled_aggregation_engine: 'app',
  monthly_aggregation_source: 'daily',
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
};
const env = { log: silentLogger(), now: () => NOW };
const n = (v: unknown) => Number(v);

const configuredDir = mkdtempSync(join(tmpdir(), 'vctp-bench-configured-'));
/** The "production" database of these runs: --synthetic must never create or open it. */
const CONFIGURED: StoreSettings = { database_driver: 'sqlite', database_url: join(configuredDir, 'production.sqlite3') };
after(() => rmSync(configuredDir, { recursive: true, force: true }));

const cases = [
  { engine: 'sqlite' },
  { engine: 'postgres' },
] as const;

for (const { engine } of cases) {
  describe(`benchmark aggregations (${engine})`, () => {
    let db: TestDatabase;
    let report: AggregationBenchmarkReport;
    let store: Store;
    const fleet = generateFleet(FLEET);

    before(async () => {
      db = await createTestDatabase(engine);
      report = await benchmarkAggregations(env, { ...AGGREGATION, ...CONFIGURED }, {
        runs: 2,
        synthetic: { fleet: FLEET, db: db.settings.database_url, keep: true },
      });
      store = await db.open();
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('never touches the configured database', () => {
      assert.equal(existsSync(CONFIGURED.database_url), false);
    });

    it('registers 24 snapshots a day per vCenter', async () => {
      const rows = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM snapshot_registry WHERE kind = 'hourly'`);
      assert.equal(n(rows[0]!.n), 24 * FLEET.days * FLEET.vcenters);
      const load = report.load!;
      assert.equal(load.method, engine === 'sqlite' ? 'sqlite-prepared' : 'pg-copy');
      assert.equal(load.rows, FLEET.vcenters + 24 * FLEET.days * FLEET.vcenters + fleet.placements.length + 2 * fleet.vms.length + fleet.spans.length);
    });

    it('holds in vm_hourly_stats exactly the VMs present in each generated snapshot', async () => {
      const rows = await store.all<{ vcenter: string; snapshot_time: number; n: number }>(sql`
        SELECT vcenter, snapshot_time, COUNT(*) AS n FROM vm_hourly_stats GROUP BY vcenter, snapshot_time`);
      const actual = new Map(rows.map((r) => [`${r.vcenter}@${n(r.snapshot_time)}`, n(r.n)]));
      const counts = presentCounts(fleet);
      fleet.vcenters.forEach((name, v) =>
        fleet.snapshotTimes.forEach((t, k) => assert.equal(actual.get(`${name}@${t}`) ?? 0, counts[v]![k], `${name} at ${t}`)),
      );
      const total = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_hourly_stats`);
      assert.equal(n(total[0]!.n), counts.flat().reduce((a, b) => a + b, 0));
    });

    it('stores spans that never overlap per VM and start and end at registry times', async () => {
      const overlaps = await store.all<{ n: number }>(sql`
        SELECT COUNT(*) AS n FROM vm_spans a JOIN vm_spans b ON b.lifecycle_id = a.lifecycle_id AND b.id > a.id
        WHERE a.first_seen <= COALESCE(b.last_seen, 9999999999) AND b.first_seen <= COALESCE(a.last_seen, 9999999999)`);
      assert.equal(n(overlaps[0]!.n), 0);
      const offGrid = await store.all<{ n: number }>(sql`
        SELECT COUNT(*) AS n FROM vm_spans s
        WHERE NOT EXISTS (SELECT 1 FROM snapshot_registry r WHERE r.vcenter_id = s.vcenter_id AND r.kind = 'hourly' AND r.snapshot_time = s.first_seen)
           OR (s.last_seen IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM snapshot_registry r WHERE r.vcenter_id = s.vcenter_id AND r.kind = 'hourly' AND r.snapshot_time = s.last_seen))`);
      assert.equal(n(offGrid[0]!.n), 0);
    });

    it('gives the UUIDs back as capture stores them', async () => {
      const vm = fleet.vms.find((m) => m.lastSeen === null)!;
      const rows = await store.all<{ vm_uuid: string; instance_uuid: string }>(sql`
        SELECT DISTINCT vm_uuid, instance_uuid FROM vm_hourly_stats WHERE vm_id = ${vm.vmId} AND vcenter = ${fleet.vcenters[vm.vcenter]!}`);
      assert.deepEqual(rows.map((r) => ({ vm_uuid: r.vm_uuid, instance_uuid: r.instance_uuid })), [{ vm_uuid: vm.vmUuid, instance_uuid: vm.instanceUuid }]);
    });

    it('times every engine on every window, and leaves the summaries as the timers would', async () => {
      assert.equal(report.day, '2026-03-31');
      assert.equal(report.month, '2026-03');
      assert.equal(report.vcenters, 2);
      assert.deepEqual(
        report.results.map((r) => `${r.window}/${r.engine}`),
        BENCHMARK_WINDOWS.flatMap((w) => [`${w}/app`, `${w}/sql`]),
      );
      const lastDay = fleet.snapshotTimes.length - 24;
      const presentLastDay = new Set(fleet.spans.filter((s) => s.lastSeen === null || s.lastSeen >= fleet.snapshotTimes[lastDay]!).map((s) => s.lifecycleId));
      for (const r of report.results) {
        if (r.engine === 'app') assert.ok(r.ok, `${r.window}/app: ${r.error}`);
        if (!r.ok) {
          assert.ok(r.error, 'a failed engine says why');
          continue;
        }
        assert.equal(r.runsMs.length, 2);
        assert.ok(r.warmupMs !== null && r.minMs! <= r.medianMs! && r.medianMs! <= r.maxMs!);
        assert.equal(r.rows, r.window === 'daily' ? presentLastDay.size : fleet.vms.length, `${r.window}/${r.engine} rows`);
      }
      assert.equal(report.ratios.length, BENCHMARK_WINDOWS.length);
      assertFloors(report, (window) => (window === 'daily' ? presentLastDay.size : fleet.vms.length));
      // The prepared days stay; what the timed runs wrote was undone.
      const days = await store.all<{ n: number }>(sql`SELECT COUNT(DISTINCT day) AS n FROM vm_daily_rollup`);
      assert.equal(n(days[0]!.n), FLEET.days);
      const months = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_monthly_summary`);
      assert.equal(n(months[0]!.n), 0);
    });

    it('gives the monthly floor the daily rows to read where aggregation would read them', async () => {
      const month = monthPeriod('2026-03');
      const [vc] = await listVcenters(store);
      // The whole month: its daily summaries cover its hourly snapshots, so the spans are read.
      assert.deepEqual(await floorSources(store, 'monthly-from-daily', [vc!.id], month.start, month.end), [{ id: vc!.id, source: 'spans' }]);
      assert.deepEqual(await floorSources(store, 'monthly-from-hourly', [vc!.id], FLEET.start, FLEET.start + 36 * 3600), [{ id: vc!.id, source: 'spans' }]);
      // Two daily summaries (48 samples) against 36 hourly snapshots: as if retention had trimmed them.
      const trimmed = { start: FLEET.start, end: FLEET.start + 36 * 3600 };
      assert.deepEqual(await floorSources(store, 'monthly-from-daily', [vc!.id], trimmed.start, trimmed.end), [{ id: vc!.id, source: 'daily' }]);
      const window = { kind: 'monthly' as const, ...trimmed, vcenters: [{ id: vc!.id, source: 'daily' as const }] };
      const vms = await store.all<{ n: number }>(sql`
        SELECT COUNT(DISTINCT lifecycle_id) AS n FROM vm_daily_rollup WHERE vcenter_id = ${vc!.id} AND day >= ${trimmed.start} AND day < ${trimmed.end}`);
      try {
        const run = await runFloor(store, window);
        // One row a VM, summed from its daily rows by the database, read; one summary row a VM written.
        assert.equal(run.rowsRead, n(vms[0]!.n));
        assert.equal(run.rowsWritten, n(vms[0]!.n));
        assert.ok(run.readMs > 0 && run.writeMs > 0);
        const written = await store.all<{ n: number }>(sql`
          SELECT COUNT(*) AS n FROM vm_monthly_summary WHERE vcenter_id = ${vc!.id} AND month = ${trimmed.start}`);
        assert.equal(n(written[0]!.n), n(vms[0]!.n));
      } finally {
        await removePeriodSummaries(store, 'monthly', trimmed.start);
      }
      const left = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_monthly_summary`);
      assert.equal(n(left[0]!.n), 0);
    });

    it('refuses a scratch database that holds data', async () => {
      await assert.rejects(
        benchmarkAggregations(env, { ...AGGREGATION, ...CONFIGURED }, { runs: 1, synthetic: { fleet: FLEET, db: db.settings.database_url } }),
        /--db .*not empty/,
      );
    });

    it('measures a configured database in rolled-back transactions, changing nothing', async () => {
      const snapshot = async () =>
        store.all(sql`
          SELECT (SELECT COUNT(*) FROM vm_daily_rollup) AS daily, (SELECT COUNT(*) FROM vm_monthly_summary) AS monthly,
                 (SELECT SUM(created_at) FROM snapshot_registry) AS created, (SELECT COUNT(*) FROM snapshot_registry) AS registry,
                 (SELECT COUNT(*) FROM vcenter_aggregate_totals) AS totals, (SELECT COUNT(*) FROM job_runs) AS runs`);
      // Every row of the tables the engines and the floors write, in key order: compared whole.
      const rowsOf = async () => ({
        daily: await store.all(sql`SELECT * FROM vm_daily_rollup ORDER BY vcenter_id, day, lifecycle_id`),
        monthly: await store.all(sql`SELECT * FROM vm_monthly_summary ORDER BY vcenter_id, month, lifecycle_id`),
        registry: await store.all(sql`SELECT * FROM snapshot_registry ORDER BY vcenter_id, kind, snapshot_time`),
        totals: await store.all(sql`SELECT * FROM vcenter_aggregate_totals ORDER BY vcenter_id, kind, snapshot_time`),
      });
      // A month of summaries too, so that the monthly floor and engines have rows to replace.
      for (const vc of await listVcenters(store)) {
        await aggregateMonth({ store, ...env }, AGGREGATION, { vcenterId: vc.id, vcenter: vc.name, engine: 'app', period: monthPeriod('2026-03') });
      }
      const before = await snapshot();
      const rowsBefore = await rowsOf();
      assert.ok(rowsBefore.daily.length > 0 && rowsBefore.monthly.length > 0);
      const configured = await benchmarkAggregations(env, { ...AGGREGATION, ...db.settings }, { runs: 1 });
      assert.equal(configured.mode, 'configured');
      assert.equal(configured.day, '2026-03-31');
      assert.equal(configured.month, '2026-03');
      // Every window and engine, one job after another inside the one rolled-back transaction.
      assert.deepEqual(
        configured.results.filter((r) => !r.ok).map((r) => `${r.window}/${r.engine}: ${r.error}`),
        [],
      );
      assertFloors(configured, (window) => configured.results.find((r) => r.window === window && r.engine === 'app')!.rows);
      assert.deepEqual({ ...(await snapshot())[0] }, { ...before[0] });
      assert.deepEqual(await rowsOf(), rowsBefore);
    });
  });
}

/**
 * Every window x engine has its floor in `windows`, with floor_s > 0 and ratio = median_s / floor_s;
 * each floor read the engine's input and wrote `rowsOf(window)` rows (what the engine writes).
 */
function assertFloors(report: AggregationBenchmarkReport, rowsOf: (window: string) => number): void {
  assert.deepEqual(
    report.windows.map((w) => `${w.window}/${w.engine}`),
    BENCHMARK_WINDOWS.flatMap((w) => [`${w}/app`, `${w}/sql`]),
  );
  assert.deepEqual(report.floors.map((f) => f.window), [...BENCHMARK_WINDOWS]);
  for (const f of report.floors) {
    assert.ok(f.ok, `${f.window} floor: ${f.error}`);
    assert.equal(f.runsMs.length, report.runs);
    assert.equal(f.rows, rowsOf(f.window), `${f.window} floor rows`);
    assert.ok(f.rowsRead >= f.rows, `${f.window}: read ${f.rowsRead} rows for ${f.rows} VMs`);
    assert.ok(f.readMedianMs! > 0 && f.writeMedianMs! > 0);
  }
  for (const w of report.windows) {
    const engine = report.results.find((r) => r.window === w.window && r.engine === w.engine)!;
    assert.ok(w.peak_rss_mb > 0);
    if (!engine.ok) continue;
    assert.equal(w.median_s, engine.medianMs! / 1000);
    assert.equal(w.floor_s, report.floors.find((f) => f.window === w.window)!.medianMs! / 1000);
    assert.ok(w.floor_s! > 0, `${w.window}/${w.engine} floor_s`);
    const ratio = w.median_s! / w.floor_s!;
    assert.ok(Math.abs(w.ratio! - ratio) <= 1e-9 * ratio, `${w.window}/${w.engine}: ratio ${w.ratio} for ${ratio}`);
  }
}

describe('benchmark aggregations scratch databases', () => {
  it('deletes the default temporary SQLite file afterwards', async () => {
    const report = await benchmarkAggregations(env, { ...AGGREGATION, ...CONFIGURED }, {
      runs: 1,
      windows: ['daily'],
      synthetic: { fleet: { ...FLEET, vcenters: 1, days: 1 } },
    });
    assert.equal(report.dialect, 'sqlite');
    assert.equal(existsSync(report.scratch!.location), false);
  });

  it('deletes a SQLite --db file it created, unless --keep', async () => {
    const path = join(configuredDir, 'scratch.sqlite3');
    const run = (keep: boolean) =>
      benchmarkAggregations(env, { ...AGGREGATION, ...CONFIGURED }, { runs: 1, windows: ['daily'], synthetic: { fleet: { ...FLEET, days: 1 }, db: path, keep } });
    await run(false);
    assert.equal(existsSync(path), false);
    const kept = await run(true);
    assert.deepEqual(kept.scratch, { location: path, kept: true });
    assert.equal(existsSync(path), true);
  });

  it('refuses the configured database as --db', async () => {
    await assert.rejects(
      benchmarkAggregations(env, { ...AGGREGATION, ...CONFIGURED }, { runs: 1, synthetic: { fleet: FLEET, db: CONFIGURED.database_url } }),
      /--db .*configured database/,
    );
    assert.equal(existsSync(CONFIGURED.database_url), false);
  });

  it('empties a given database afterwards unless --keep', async () => {
    const db = await createTestDatabase('postgres');
    try {
      await benchmarkAggregations(env, { ...AGGREGATION, ...CONFIGURED }, {
        runs: 1,
        windows: ['daily'],
        synthetic: { fleet: { ...FLEET, days: 1 }, db: db.settings.database_url },
      });
      const store = await db.open();
      try {
        const rows = await store.all<{ n: number }>(sql`SELECT (SELECT COUNT(*) FROM vm_spans) + (SELECT COUNT(*) FROM snapshot_registry) AS n`);
        assert.equal(n(rows[0]!.n), 0);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });
});
