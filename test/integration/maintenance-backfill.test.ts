// `vctp backfill` on both databases: the totals caches rebuilt from spans and summaries equal the
// ones capture and aggregation wrote as they went.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import { runBackfill } from '../../src/jobs/backfill.js';
import type { Store } from '../../src/store/executor.js';
import { listVcenters } from '../../src/store/vcenter-repository.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { captureSeries, dump, Fleet, H, hoursFrom, random, SETTINGS, utc } from './maintenance-fleet.js';

/**
 * Every value must match exactly: capture and backfill both sum RAM and disk as integers (MiB,
 * 0.01 GiB) and divide once (src/core/units.ts), so the order of additions cannot show.
 */
function assertSameTotals(actual: Record<string, unknown>[], expected: Record<string, unknown>[]): void {
  assert.equal(actual.length, expected.length);
  for (const [i, e] of expected.entries()) {
    const a = actual[i]!;
    for (const [column, value] of Object.entries(e)) {
      assert.deepEqual(a[column], value, `row ${i} (${JSON.stringify(e).slice(0, 80)}) ${column}`);
    }
  }
}

for (const engine of ENGINES) {
  describe(`vctp backfill (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      const ctx = testContext(store);
      await captureSeries(ctx, 'vc1', new Fleet(random(1), 40), hoursFrom(utc('2026-03-30T00:00:00Z'), 54));
      await captureSeries(ctx, 'vc2', new Fleet(random(2), 15), hoursFrom(utc('2026-03-30T01:00:00Z'), 27, 2 * H));
      for (const vc of await listVcenters(store)) {
        const input = { vcenterId: vc.id, vcenter: vc.name, engine: 'app' as const };
        await aggregateDay(ctx, SETTINGS, { ...input, period: dayPeriod('2026-03-30') });
        await aggregateDay(ctx, SETTINGS, { ...input, period: dayPeriod('2026-03-31') });
        await aggregateMonth(ctx, SETTINGS, { ...input, period: monthPeriod('2026-03') });
      }
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    const totals = async () => ({
      latest: await dump(store, 'vcenter_latest_totals', 'vcenter_id'),
      aggregate: await dump(store, 'vcenter_aggregate_totals', 'vcenter_id, kind, snapshot_time'),
    });

    it('rebuilds, from nothing, the totals that capture and aggregation wrote', async () => {
      const captured = await totals();
      assert.equal(captured.aggregate.filter((r) => r.kind === 'hourly').length, 54 + 27);
      await store.run(sql`DELETE FROM vcenter_latest_totals`);
      await store.run(sql`DELETE FROM vcenter_aggregate_totals`);

      const result = await runBackfill(testContext(store), SETTINGS, { lockWaitSeconds: 0 });
      assert.equal(result.skipped, false);
      if (result.skipped) return;
      assert.deepEqual(
        result.outcomes.map((o) => (o.ok ? [o.vcenter, o.hourly, o.latest, o.daily, o.monthly] : [o.vcenter, o.error])),
        [
          ['vc1', 54, utc('2026-03-30T00:00:00Z') + 53 * H, 2, 1],
          ['vc2', 27, utc('2026-03-30T01:00:00Z') + 26 * 2 * H, 2, 1],
        ],
      );
      const rebuilt = await totals();
      assertSameTotals(rebuilt.latest, captured.latest);
      assertSameTotals(rebuilt.aggregate, captured.aggregate);
    });

    it('replaces stale or stray rows, and a second run changes nothing', async () => {
      const good = await totals();
      await store.run(sql`UPDATE vcenter_aggregate_totals SET vm_count = 999, vcpu_total = -1`);
      await store.run(sql`UPDATE vcenter_latest_totals SET vm_count = 999`);
      await store.run(sql`
        INSERT INTO vcenter_aggregate_totals (vcenter_id, kind, snapshot_time, vm_count, powered_on_count, template_count,
          srm_placeholder_count, node_charge_vm_count, chargeable_vm_count, vcpu_total, ram_gb_total, disk_gb_total,
          tin_vm_count, bronze_vm_count, silver_vm_count, gold_vm_count, untiered_vm_count)
        VALUES (1, 'hourly', 12345, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1)`);
      await runBackfill(testContext(store), SETTINGS, { lockWaitSeconds: 0 });
      const first = await totals();
      assert.deepEqual(first, good);
      await runBackfill(testContext(store), SETTINGS, { lockWaitSeconds: 0 });
      assert.deepEqual(await totals(), first);
    });

    it('waits for, then gives way to, a running aggregation', async () => {
      await store.run(sql`INSERT INTO job_locks (name, holder, acquired_at, expires_at) VALUES ('aggregate', 'other:1', 0, ${2 ** 40})`);
      try {
        const result = await runBackfill(testContext(store), SETTINGS, { lockWaitSeconds: 0 });
        assert.deepEqual(result, { skipped: true, holder: 'other:1' });
      } finally {
        await store.run(sql`DELETE FROM job_locks`);
      }
    });
  });
}
