// `vctp repair` on both databases: days and months with snapshots but no, or a stale, summary are
// aggregated; everything else is left alone; the unfinished day and month are never touched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { dayPeriod } from '../../src/core/periods.js';
import { dailyStaleness, monthlyStaleness } from '../../src/core/staleness.js';
import { type RepairAction, runRepair } from '../../src/jobs/repair.js';
import type { Store } from '../../src/store/executor.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { captureSeries, DAY, Fleet, H, hoursFrom, random, SETTINGS, utc } from './maintenance-fleet.js';

const NOW = utc('2026-04-03T12:00:00Z');
const day = (label: string) => dayPeriod(label).start;

describe('summary staleness rules', () => {
  const hourly = { day: day('2026-03-31'), samples: 24, storedAt: 1000 };
  it('daily: missing, fewer or more snapshots, or older than the newest snapshot', () => {
    assert.equal(dailyStaleness(hourly, undefined)?.reason, 'missing');
    assert.equal(dailyStaleness(hourly, { day: hourly.day, totalSamples: 23, createdAt: 2000 })?.detail, 'summary over 23 snapshots, the day has 24');
    assert.equal(dailyStaleness(hourly, { day: hourly.day, totalSamples: 24, createdAt: 999 })?.detail, 'a snapshot was stored after the summary');
    assert.equal(dailyStaleness(hourly, { day: hourly.day, totalSamples: 24, createdAt: 1000 }), null);
  });
  it('monthly from daily summaries: missing, a day behind, a sample count or a daily summary newer than it', () => {
    const daily = [{ day: hourly.day, totalSamples: 24, createdAt: 2000 }];
    const base = { source: 'daily' as const, dailies: daily, hourlyDays: [hourly], repairedDays: [] };
    assert.equal(monthlyStaleness({ ...base, monthly: undefined })?.reason, 'missing');
    assert.equal(monthlyStaleness({ ...base, monthly: { month: 0, totalSamples: 24, createdAt: 2000 } }), null);
    assert.equal(monthlyStaleness({ ...base, monthly: { month: 0, totalSamples: 20, createdAt: 2000 } })?.reason, 'stale');
    assert.equal(monthlyStaleness({ ...base, monthly: { month: 0, totalSamples: 24, createdAt: 1999 } })?.detail, 'a daily summary is newer than the monthly one');
    assert.match(monthlyStaleness({ ...base, hourlyDays: [{ ...hourly, samples: 25 }], monthly: { month: 0, totalSamples: 24, createdAt: 2000 } })!.detail, /2026-03-31/);
    assert.equal(monthlyStaleness({ ...base, dailies: [], hourlyDays: [], monthly: undefined }), null);
  });
  it('monthly from hourly snapshots: compares with the snapshots themselves', () => {
    const base = { source: 'hourly' as const, dailies: [], hourlyDays: [hourly], repairedDays: ['2026-03-31'] };
    assert.equal(monthlyStaleness({ ...base, monthly: { month: 0, totalSamples: 24, createdAt: 1000 } }), null);
    assert.equal(monthlyStaleness({ ...base, monthly: { month: 0, totalSamples: 24, createdAt: 999 } })?.reason, 'stale');
  });
});

const brief = (actions: RepairAction[]) => actions.map((a) => [a.vcenter, a.kind, a.period, a.reason, a.result]);

for (const engine of ENGINES) {
  describe(`vctp repair (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    const ctx = () => testContext(store, NOW * 1000);
    const repair = async (input: Partial<Parameters<typeof runRepair>[2]> = {}, settings = SETTINGS) => {
      const result = await runRepair(ctx(), settings, { engine: 'app', lockWaitSeconds: 0, ...input });
      assert.equal(result.skipped, false);
      if (result.skipped) throw new Error('skipped');
      return result;
    };
    const registry = (kind: string) =>
      store.all<{ vcenter_id: number; snapshot_time: number; total_samples: number }>(
        sql`SELECT vcenter_id, snapshot_time, total_samples FROM snapshot_registry WHERE kind = ${kind} ORDER BY vcenter_id, snapshot_time`,
      );

    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      // vc1 (id 1): every 4 hours, 2026-03-30 00:00 to 2026-04-03 08:00; vc2 (id 2): every 6 hours, 03-31 to 04-02.
      await captureSeries(ctx(), 'vc1', new Fleet(random(5), 20), hoursFrom(utc('2026-03-30T00:00:00Z'), 27, 4 * H));
      await captureSeries(ctx(), 'vc2', new Fleet(random(6), 8), hoursFrom(utc('2026-03-31T00:00:00Z'), 12, 6 * H));
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('aggregates every ended day and month that has snapshots but no summary', async () => {
      const result = await repair();
      assert.equal(result.from, '2026-02-17');
      assert.equal(result.to, '2026-04-02');
      assert.deepEqual(brief(result.actions), [
        ['vc1', 'daily', '2026-03-30', 'missing', 'ok'],
        ['vc1', 'daily', '2026-03-31', 'missing', 'ok'],
        ['vc1', 'daily', '2026-04-01', 'missing', 'ok'],
        ['vc1', 'daily', '2026-04-02', 'missing', 'ok'],
        ['vc1', 'monthly', '2026-03', 'missing', 'ok'],
        ['vc2', 'daily', '2026-03-31', 'missing', 'ok'],
        ['vc2', 'daily', '2026-04-01', 'missing', 'ok'],
        ['vc2', 'daily', '2026-04-02', 'missing', 'ok'],
        ['vc2', 'monthly', '2026-03', 'missing', 'ok'],
      ]);
      assert.deepEqual(
        (await registry('daily')).map((r) => [r.vcenter_id, Number(r.snapshot_time), r.total_samples]),
        [
          [1, day('2026-03-30'), 6],
          [1, day('2026-03-31'), 6],
          [1, day('2026-04-01'), 6],
          [1, day('2026-04-02'), 6],
          [2, day('2026-03-31'), 4],
          [2, day('2026-04-01'), 4],
          [2, day('2026-04-02'), 4],
        ],
      );
      assert.deepEqual((await registry('monthly')).map((r) => [r.vcenter_id, r.total_samples]), [
        [1, 12],
        [2, 4],
      ]);
      const runs = await store.all<{ status: string; rows: number }>(sql`SELECT status, rows FROM job_runs WHERE job = 'repair'`);
      assert.deepEqual(runs.map((r) => [r.status, Number(r.rows)]), [['ok', 9]]);
    });

    it('then finds nothing to do', async () => {
      assert.deepEqual((await repair()).actions, []);
      assert.deepEqual((await repair({ all: true })).actions, []);
    });

    it('re-aggregates a stale day, and the month that holds it', async () => {
      await store.run(sql`UPDATE snapshot_registry SET total_samples = 5 WHERE vcenter_id = 1 AND kind = 'daily' AND snapshot_time = ${day('2026-03-31')}`);
      await store.run(sql`UPDATE snapshot_registry SET created_at = 0 WHERE vcenter_id = 2 AND kind = 'daily' AND snapshot_time = ${day('2026-04-01')}`);
      const result = await repair();
      assert.deepEqual(
        result.actions.map((a) => [a.vcenter, a.period, a.reason, a.detail, a.result]),
        [
          ['vc1', '2026-03-31', 'stale', 'summary over 5 snapshots, the day has 6', 'ok'],
          ['vc1', '2026-03', 'stale', 'days re-aggregated: 2026-03-31', 'ok'],
          ['vc2', '2026-04-01', 'stale', 'a snapshot was stored after the summary', 'ok'],
        ],
      );
      assert.deepEqual((await repair()).actions, []);
    });

    it('looks only at the days asked for, but brings a whole month up to date', async () => {
      await store.run(sql`UPDATE snapshot_registry SET total_samples = 1 WHERE vcenter_id = 1 AND kind = 'daily' AND snapshot_time = ${day('2026-03-31')}`);
      const result = await repair({ from: day('2026-03-30'), to: day('2026-03-30'), vcenters: ['vc1'] });
      assert.deepEqual(
        result.actions.map((a) => [a.vcenter, a.period, a.reason, a.detail, a.result, a.daysRefreshed]),
        [['vc1', '2026-03', 'stale', 'days without an up-to-date daily summary: 2026-03-31', 'ok', ['2026-03-31']]],
      );
      assert.deepEqual((await repair({ all: true })).actions, []);
    });

    it('re-aggregates a month whose sample count no longer matches its days', async () => {
      await store.run(sql`UPDATE snapshot_registry SET total_samples = 7 WHERE vcenter_id = 2 AND kind = 'monthly'`);
      const result = await repair({ vcenters: ['vc2'] });
      assert.deepEqual(brief(result.actions), [['vc2', 'monthly', '2026-03', 'stale', 'ok']]);
      assert.deepEqual((await registry('monthly')).map((r) => r.total_samples), [12, 4]);
    });

    it('skips, and says why, a month built from spans whose early hours retention has removed', async () => {
      await store.run(sql`DELETE FROM snapshot_registry WHERE vcenter_id = 1 AND kind = 'monthly'`);
      const settings = { ...SETTINGS, monthly_aggregation_source: 'hourly' as const, hourly_snapshot_max_age_days: 2 };
      const result = await repair({ vcenters: ['vc1'] }, settings);
      assert.deepEqual(brief(result.actions), [['vc1', 'monthly', '2026-03', 'missing', 'skipped']]);
      assert.match(result.actions[0]!.message!, /hourly snapshots before 2026-04-01 .* cannot be rebuilt whole/);
      // With the default source the month comes from its daily summaries, which are all there.
      assert.deepEqual(brief((await repair({ vcenters: ['vc1'] })).actions), [['vc1', 'monthly', '2026-03', 'missing', 'ok']]);
    });

    it('rejects an unknown --vcenter and gives way to a running aggregation', async () => {
      await assert.rejects(repair({ vcenters: ['nope'] }), /--vcenter nope: no snapshots of such a vCenter \(known: vc1, vc2\)/);
      await store.run(sql`INSERT INTO job_locks (name, holder, acquired_at, expires_at) VALUES ('aggregate', 'other:1', 0, ${2 ** 40})`);
      try {
        assert.deepEqual(await runRepair(ctx(), SETTINGS, { engine: 'app', lockWaitSeconds: 0 }), { skipped: true, holder: 'other:1' });
      } finally {
        await store.run(sql`DELETE FROM job_locks`);
      }
    });

    it('never aggregates the unfinished day', async () => {
      const result = await repair({ from: day('2026-04-03'), to: day('2026-04-03') });
      assert.equal(result.from, null);
      assert.deepEqual(result.actions, []);
      const today = await store.all(sql`SELECT 1 FROM snapshot_registry WHERE kind = 'daily' AND snapshot_time = ${NOW - (NOW % DAY)}`);
      assert.equal(today.length, 0);
    });
  });
}
