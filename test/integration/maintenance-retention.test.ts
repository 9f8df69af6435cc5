// `vctp retention` on both databases: after it, vm_hourly_stats is exactly what it was from the cut
// on; daily summaries before their cut are gone, monthly ones stay; nothing dangles; a dry run
// changes nothing and reports the same counts; capture, aggregation and repair carry on afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { runRepair } from '../../src/jobs/repair.js';
import { retentionCuts, runRetention } from '../../src/jobs/retention.js';
import type { Store } from '../../src/store/executor.js';
import { listVcenters } from '../../src/store/vcenter-repository.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { captureSeries, dump, dumpAll, Fleet, H, hourlyView, hoursFrom, random, SETTINGS, utc } from './maintenance-fleet.js';

const RETENTION = { ...SETTINGS, hourly_snapshot_max_age_days: 2, daily_snapshot_max_age_months: 1 };
const NOW = utc('2026-04-21T12:00:00Z');
const CUT = utc('2026-04-19T00:00:00Z');
const DAILY_CUT = utc('2026-03-01T00:00:00Z');

describe('retention cuts', () => {
  it('fall on day and month boundaries, daily never after hourly', () => {
    assert.deepEqual(retentionCuts(NOW, RETENTION), { hourlyCut: CUT, dailyCut: DAILY_CUT });
    assert.deepEqual(retentionCuts(utc('2026-04-21T00:00:00Z'), { hourly_snapshot_max_age_days: 60, daily_snapshot_max_age_months: 12 }), {
      hourlyCut: utc('2026-02-20T00:00:00Z'),
      dailyCut: utc('2025-04-01T00:00:00Z'),
    });
    // Daily summaries are kept at least as long as the hourly history they come from.
    assert.deepEqual(retentionCuts(NOW, { hourly_snapshot_max_age_days: 90, daily_snapshot_max_age_months: 1 }), {
      hourlyCut: utc('2026-01-21T00:00:00Z'),
      dailyCut: utc('2026-01-21T00:00:00Z'),
    });
  });
});

// PostgreSQL also with monthly partitions (src/store/pg-partitions.ts): February and March lie
// wholly before the cut there and go as whole partitions; the results must not differ.
const VARIANTS = [...ENGINES.map((engine) => ({ engine, partitioned: false })), { engine: 'postgres' as const, partitioned: true }];

for (const { engine, partitioned } of VARIANTS) {
  describe(`vctp retention (${engine}${partitioned ? ', partitioned' : ''})`, () => {
    let db: TestDatabase;
    let store: Store;
    let fleet1: Fleet;
    let fleet2: Fleet;
    let preView: Record<string, unknown>[];
    let preApr19: Record<string, unknown>[];
    const ctx = () => testContext(store, NOW * 1000);

    before(async () => {
      db = await createTestDatabase(engine, { partitioned });
      store = await db.open();
      fleet1 = new Fleet(random(3), 30);
      await captureSeries(ctx(), 'vc1', fleet1, [
        ...hoursFrom(utc('2026-02-10T00:00:00Z'), 6),
        ...hoursFrom(utc('2026-04-16T00:00:00Z'), 43, 3 * H),
      ]);
      fleet2 = new Fleet(random(4), 10);
      await captureSeries(ctx(), 'vc2', fleet2, hoursFrom(utc('2026-02-10T00:00:00Z'), 3, 2 * H));
      for (const vc of await listVcenters(store)) {
        const input = { vcenterId: vc.id, vcenter: vc.name, engine: 'app' as const };
        await aggregateDay(ctx(), RETENTION, { ...input, period: dayPeriod('2026-02-10') });
        await aggregateMonth(ctx(), RETENTION, { ...input, period: monthPeriod('2026-02') });
        if (vc.name !== 'vc1') continue;
        for (const day of ['2026-04-16', '2026-04-19', '2026-04-20']) await aggregateDay(ctx(), RETENTION, { ...input, period: dayPeriod(day) });
      }
      preView = await hourlyView(store);
      preApr19 = await dump(store, `vm_daily_rollup WHERE day = ${utc('2026-04-19T00:00:00Z')}`, 'vcenter_id, lifecycle_id');
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    let dryRemoved: unknown;
    it('dry run: reports what would go and changes nothing', async () => {
      const before = await dumpAll(store);
      const result = await runRetention(ctx(), RETENTION, { dryRun: true, lockWaitSeconds: 0 });
      assert.equal(result.skipped, false);
      if (result.skipped) return;
      assert.equal(result.dryRun, true);
      assert.ok(result.removed.hourlySnapshots > 0 && result.removed.spansDeleted > 0 && result.removed.dailyRollupRows > 0);
      dryRemoved = result.removed;
      assert.deepEqual(await dumpAll(store), before);
      const runs = await store.all(sql`SELECT 1 FROM job_runs WHERE job = 'retention'`);
      assert.equal(runs.length, 0);
    });

    it('removes the same rows for real, and vm_hourly_stats is exactly the old view from the cut on', async () => {
      const registry = await dump(store, `snapshot_registry WHERE kind = 'hourly'`, 'vcenter_id, snapshot_time');
      const result = await runRetention(ctx(), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
      assert.equal(result.skipped, false);
      if (result.skipped) return;
      assert.deepEqual(result.removed, dryRemoved);
      assert.deepEqual(result.cuts, { hourlyCut: CUT, dailyCut: DAILY_CUT });
      // vc2 has nothing since the cut: all of its hourly history goes, open spans and latest totals too.
      assert.deepEqual(result.vcenters, [
        { vcenter: 'vc1', keptFrom: CUT },
        { vcenter: 'vc2', keptFrom: null },
      ]);
      assert.equal(result.removed.hourlySnapshots, registry.filter((r) => Number(r.snapshot_time) < CUT).length);
      assert.equal(result.removed.latestTotals, 1);
      assert.ok(result.removed.spansTrimmed > 0);
      assert.ok(result.removed.lifecycles > 0, 'some VM lived and died before the cut without a summary');
      assert.ok(result.removed.identities > 0);

      assert.deepEqual(await hourlyView(store), preView.filter((r) => Number(r.snapshot_time) >= CUT));
      const spans = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_spans WHERE vcenter_id = 1 AND first_seen < ${CUT}`);
      assert.equal(Number(spans[0]!.n), 0, 'spans across the cut start at the first kept snapshot');
      const hourlyTotals = await store.all<{ n: number }>(sql`
        SELECT COUNT(*) AS n FROM vcenter_aggregate_totals t WHERE kind = 'hourly'
        AND NOT EXISTS (SELECT 1 FROM snapshot_registry r WHERE r.vcenter_id = t.vcenter_id AND r.kind = 'hourly' AND r.snapshot_time = t.snapshot_time)`);
      assert.equal(Number(hourlyTotals[0]!.n), 0);
      const runs = await store.all<{ status: string }>(sql`SELECT status FROM job_runs WHERE job = 'retention'`);
      assert.deepEqual(runs.map((r) => r.status), ['ok']);
    });

    it('drops daily summaries before their cut and keeps every monthly one', async () => {
      const daily = await store.all<{ day: number }>(sql`SELECT DISTINCT day FROM vm_daily_rollup ORDER BY day`);
      assert.deepEqual(daily.map((r) => Number(r.day)), ['2026-04-16', '2026-04-19', '2026-04-20'].map((d) => dayPeriod(d).start));
      const registry = await store.all<{ kind: string; snapshot_time: number }>(
        sql`SELECT kind, snapshot_time FROM snapshot_registry WHERE kind <> 'hourly' ORDER BY kind, vcenter_id, snapshot_time`,
      );
      const feb = monthPeriod('2026-02').start;
      assert.deepEqual(registry.map((r) => [r.kind, Number(r.snapshot_time)]), [
        ['daily', dayPeriod('2026-04-16').start],
        ['daily', dayPeriod('2026-04-19').start],
        ['daily', dayPeriod('2026-04-20').start],
        ['monthly', feb],
        ['monthly', feb],
      ]);
      const totals = await store.all<{ kind: string; snapshot_time: number }>(
        sql`SELECT kind, snapshot_time FROM vcenter_aggregate_totals WHERE kind <> 'hourly' ORDER BY kind, vcenter_id, snapshot_time`,
      );
      assert.deepEqual(totals.map((r) => [r.kind, Number(r.snapshot_time)]), registry.map((r) => [r.kind, Number(r.snapshot_time)]));
      const monthly = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_monthly_summary`);
      assert.ok(Number(monthly[0]!.n) > 0);
    });

    it('leaves nothing dangling and nothing unreferenced', async () => {
      const count = async (query: ReturnType<typeof sql>) => Number((await store.all<{ n: number }>(query))[0]!.n);
      for (const table of ['vm_spans', 'vm_daily_rollup', 'vm_monthly_summary']) {
        assert.equal(await count(sql.raw(`SELECT COUNT(*) AS n FROM ${table} x WHERE NOT EXISTS (SELECT 1 FROM vm_lifecycle l WHERE l.id = x.lifecycle_id)`)), 0, `${table} -> vm_lifecycle`);
        assert.equal(await count(sql.raw(`SELECT COUNT(*) AS n FROM ${table} x WHERE NOT EXISTS (SELECT 1 FROM vm_identities i WHERE i.id = x.identity_id)`)), 0, `${table} -> vm_identities`);
      }
      assert.equal(
        await count(sql`SELECT COUNT(*) AS n FROM vm_identities WHERE id NOT IN (SELECT identity_id FROM vm_spans UNION SELECT identity_id FROM vm_daily_rollup UNION SELECT identity_id FROM vm_monthly_summary)`),
        0,
      );
      assert.equal(
        await count(sql`SELECT COUNT(*) AS n FROM vm_lifecycle WHERE deletion_time > 0 AND deletion_time < ${CUT}
          AND id NOT IN (SELECT lifecycle_id FROM vm_spans UNION SELECT lifecycle_id FROM vm_daily_rollup UNION SELECT lifecycle_id FROM vm_monthly_summary)`),
        0,
      );
    });

    it('a second run removes nothing', async () => {
      const before = await dumpAll(store);
      const result = await runRetention(ctx(), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
      assert.ok(!result.skipped && Object.entries(result.removed).every(([k, v]) => v === 0 || k === 'spansTrimmed'));
      assert.deepEqual(await dumpAll(store), before);
    });

    it('a day after the cut aggregates to the same rows as before retention; repair finds nothing to do', async () => {
      const vc1 = (await listVcenters(store)).find((v) => v.name === 'vc1')!;
      await aggregateDay(ctx(), RETENTION, { vcenterId: vc1.id, vcenter: 'vc1', engine: 'app', period: dayPeriod('2026-04-19') });
      assert.deepEqual(await dump(store, `vm_daily_rollup WHERE day = ${utc('2026-04-19T00:00:00Z')}`, 'vcenter_id, lifecycle_id'), preApr19);
      const repair = await runRepair(ctx(), RETENTION, { all: true, engine: 'app', lockWaitSeconds: 0 });
      assert.ok(!repair.skipped);
      assert.deepEqual(repair.actions, []);
    });

    it('captures carry on: from the kept snapshots, or afresh where none was kept', async () => {
      const t = utc('2026-04-21T09:00:00Z');
      const lifecycles = await dump(store, 'vm_lifecycle WHERE vcenter_id = 2', 'id');
      await captureInventory(ctx(), RETENTION, { vcenter: 'vc1', snapshotTime: t, records: fleet1.step(t) });
      await captureInventory(ctx(), RETENTION, { vcenter: 'vc2', snapshotTime: t, records: fleet2.inventory() });
      const charged = (fleet: Fleet) => fleet.inventory().filter((vm) => vm.resourcePool !== 'ACME').length;
      for (const [vcenter, fleet] of [['vc1', fleet1], ['vc2', fleet2]] as const) {
        const rows = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_hourly_stats WHERE vcenter = ${vcenter} AND snapshot_time = ${t}`);
        assert.equal(Number(rows[0]!.n), charged(fleet), vcenter);
      }
      const vc2 = await store.all<{ t: number }>(sql`SELECT DISTINCT snapshot_time AS t FROM vm_hourly_stats WHERE vcenter = 'vc2'`);
      assert.deepEqual(vc2.map((r) => Number(r.t)), [t]);
      // The VMs the February summaries name keep their InventoryId.
      const ids = new Set(lifecycles.map((l) => l.id));
      const again = await store.all<{ inventory_id: number }>(sql`SELECT inventory_id FROM vm_hourly_stats WHERE vcenter = 'vc2'`);
      assert.ok(again.every((r) => ids.has(r.inventory_id)));
    });
  });
}
