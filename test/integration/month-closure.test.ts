// Closed months on both databases: a month is closed only once it has ended and its monthly
// summaries are up to date; closed, it refuses re-aggregation (monthly, and daily of its days),
// snapshots stored or taken back in it and lifecycle corrections over it; timers' runs, repair,
// retention and backfill go on around it (retention keeps its hourly history and daily summaries
// whole, trimming the months on either side); reopening lets it be aggregated again, to the same
// rows; both acts are in job_runs and month_closure_events. Its workbooks say it is closed.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { VctpError } from '../../src/core/errors.js';
import { dayPeriod, formatDay, monthPeriod } from '../../src/core/periods.js';
import { runAggregate } from '../../src/jobs/aggregate.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import type { JobContext } from '../../src/jobs/context.js';
import { runBackfill } from '../../src/jobs/backfill.js';
import { runImportVm } from '../../src/jobs/import-vm.js';
import { runMonthClose, runMonthReopen } from '../../src/jobs/month-close.js';
import { runRepair } from '../../src/jobs/repair.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { buildReport } from '../../src/jobs/report.js';
import { duePendingReports } from '../../src/jobs/report-pending.js';
import { readClosuresIn } from '../../src/store/month-closure-repository.js';
import { runRetention } from '../../src/jobs/retention.js';
import { runSnapshot, type SnapshotSettings } from '../../src/jobs/snapshot.js';
import { runSnapshotDelete } from '../../src/jobs/snapshot-delete.js';
import { silentLogger } from '../../src/log/logger.js';
import { listMonths } from '../../src/queries/months.js';
import type { Store } from '../../src/store/executor.js';
import { listVcenters } from '../../src/store/vcenter-repository.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { withSource } from '../helpers/aggregation-data.js';
import { captureSeries, dump, Fleet, H, hourlyView, hoursFrom, random, SETTINGS, utc } from './maintenance-fleet.js';

const NOW = utc('2026-04-21T12:00:00Z');
// Hourly history from 04-16 on is kept, daily summaries from 03-01 on.
const RETENTION = { ...SETTINGS, hourly_snapshot_max_age_days: 5, daily_snapshot_max_age_months: 1 };
const CUT = utc('2026-04-16T00:00:00Z');
const FEB = monthPeriod('2026-02');
const MAR = monthPeriod('2026-03');
const inFeb = (t: number) => t >= FEB.start && t < FEB.end;
const RATE_CARDS = [
  { valid_from: '2026-01-01', currency: 'EUR', per: 'month', tiers: { gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 } }, templates: 0, srm_placeholders: 0, node_charged: 0 },
  { valid_from: '2026-02-15', currency: 'EUR', per: 'month', tiers: { gold: { vcpu: 21, ram_gb: 5, disk_gb: 0.1, vm: 2 } }, templates: 0, srm_placeholders: 0, node_charged: 0 },
  { valid_from: '2026-03-01', currency: 'EUR', per: 'month', tiers: {}, templates: 0, srm_placeholders: 0, node_charged: 0 },
];
const CLOSE_SETTINGS = { ...RETENTION, rate_cards: RATE_CARDS };

async function refusal(promise: Promise<unknown>): Promise<VctpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VctpError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

for (const engine of ENGINES) {
  describe(`closed months (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    // Each reading one second later: a summary built later is newer than the one before.
    let clock = NOW * 1000;
    const ctx = (): JobContext => ({ store, log: silentLogger(), now: () => (clock += 1000) });
    const vcenters = async () => new Map((await listVcenters(store)).map((v) => [v.name, v.id]));
    const runs = async (job: string) => (await store.all<{ status: string }>(sql`SELECT status FROM job_runs WHERE job = ${job} ORDER BY id`)).map((r) => r.status);
    const close = (month: string, reason = '') => runMonthClose(ctx(), CLOSE_SETTINGS, { month: monthPeriod(month), reason, user: 'alice', lockWaitSeconds: 0 });
    const aggregateAll = async (kind: 'daily' | 'monthly', label: string) => {
      for (const [name, id] of await vcenters()) {
        const input = { vcenterId: id, vcenter: name, engine: 'app' as const };
        if (kind === 'daily') {
          const registry = await store.all(sql`SELECT 1 FROM snapshot_registry WHERE vcenter_id = ${id} AND kind = 'hourly' AND snapshot_time >= ${dayPeriod(label).start} AND snapshot_time < ${dayPeriod(label).end}`);
          if (registry.length > 0) await aggregateDay(ctx(), RETENTION, { ...input, period: dayPeriod(label) });
        } else await aggregateMonth(ctx(), RETENTION, { ...input, period: monthPeriod(label) });
      }
    };
    let febMonthly: Record<string, unknown>[];
    let febDaily: Record<string, unknown>[];
    let preView: Record<string, unknown>[];

    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      const fleet1 = new Fleet(random(11), 25);
      await captureSeries({ ...ctx(), now: () => NOW * 1000 }, 'vc1', fleet1, [
        ...hoursFrom(utc('2026-01-20T00:00:00Z'), 8, 6 * H),
        ...hoursFrom(utc('2026-02-26T00:00:00Z'), 12, 6 * H),
        ...hoursFrom(utc('2026-03-10T00:00:00Z'), 8, 6 * H),
        ...hoursFrom(utc('2026-04-15T00:00:00Z'), 24, 6 * H),
      ]);
      // vc2 has nothing since March: retention leaves it its closed February only.
      const fleet2 = new Fleet(random(12), 10);
      await captureSeries({ ...ctx(), now: () => NOW * 1000 }, 'vc2', fleet2, [...hoursFrom(utc('2026-02-27T00:00:00Z'), 6, 6 * H), ...hoursFrom(utc('2026-03-10T00:00:00Z'), 4, 6 * H)]);
      const days = await store.all<{ day: number }>(sql`SELECT DISTINCT snapshot_time - (snapshot_time % 86400) AS day FROM snapshot_registry WHERE kind = 'hourly' ORDER BY 1`);
      for (const { day } of days) await aggregateAll('daily', formatDay(Number(day)));
      for (const month of ['2026-01', '2026-02']) await aggregateAll('monthly', month);
      preView = await hourlyView(store);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('refuses to close a month that has not ended, has no history, or whose monthly summaries are missing or stale', async () => {
      let e = await refusal(close('2026-04'));
      assert.equal(e.code, 'usage');
      assert.match(e.message, /^2026-04: the month has not ended yet \(UTC\); it can be closed from 2026-05-01T00:00:00Z on$/);
      e = await refusal(close('2025-12'));
      assert.match(e.message, /^2025-12: no vCenter has snapshots or summaries in this month; there is nothing to close$/);
      e = await refusal(close('2026-03'));
      assert.equal(e.code, 'usage');
      assert.match(e.message, /^2026-03: the monthly summary is not up to date for vc1 \(missing: .*\); vc2 \(missing: .*\); run vctp aggregate monthly --month 2026-03 first, then close it$/);
      await aggregateAll('monthly', '2026-03');
      await aggregateAll('daily', '2026-03-10'); // a daily summary newer than the month's
      e = await refusal(close('2026-03'));
      assert.match(e.message, /for vc1 \(stale: a daily summary is newer than the monthly one\); vc2 \(stale: .*\); run vctp aggregate monthly --month 2026-03 first/);
      await aggregateAll('monthly', '2026-03');
      // Refusals are no runs.
      assert.deepEqual(await runs('month-close'), []);
      assert.equal((await store.all(sql`SELECT * FROM month_closures`)).length, 0);
    });

    it('closes an ended, aggregated month: who, when, why, currency and the rate cards that priced it, in one run', async () => {
      febMonthly = await dump(store, `vm_monthly_summary WHERE month = ${FEB.start}`, 'vcenter_id, lifecycle_id');
      febDaily = await dump(store, `vm_daily_rollup WHERE day >= ${FEB.start} AND day < ${FEB.end}`, 'vcenter_id, day, lifecycle_id');
      const result = await close('2026-02', 'February invoiced');
      assert.ok(!result.skipped);
      assert.equal(result.month, '2026-02');
      assert.equal(result.closedBy, 'alice');
      assert.equal(result.reason, 'February invoiced');
      assert.equal(result.currency, 'EUR');
      assert.deepEqual(result.rateCards, RATE_CARDS.slice(0, 2));
      assert.deepEqual(result.vcenters, ['vc1', 'vc2']);
      const rows = await store.all<Record<string, unknown>>(sql`SELECT * FROM month_closures`);
      assert.equal(rows.length, 1);
      assert.equal(Number(rows[0]!.month), FEB.start);
      assert.equal(rows[0]!.closed_by, 'alice');
      assert.equal(Number(rows[0]!.closed_at), result.closedAt);
      assert.deepEqual(JSON.parse(String(rows[0]!.rate_cards)), RATE_CARDS.slice(0, 2));
      assert.deepEqual(await runs('month-close'), ['ok']);

      const e = await refusal(close('2026-02'));
      assert.equal(e.code, 'closed');
      assert.match(e.message, /^2026-02: the month is already closed \(by alice at 2026-04-21T\d\d:\d\d:\d\dZ \("February invoiced"\)\)$/);
    });

    it('its monthly workbook, and a daily one of its days, say so on the front sheet', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vctp-closed-report-'));
      const settings = { ...RETENTION, reports_dir: dir, report_summary_pivots: [] };
      const noteOf = async (path: string) => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(path);
        return String(wb.getWorksheet('Report')!.getCell('A2').value);
      };
      const monthly = await buildReport(ctx(), settings, { kind: 'monthly', period: FEB });
      assert.match(await noteOf(monthly.path), /^Closed on 2026-04-21T\d\d:\d\d:\d\dZ by alice \("February invoiced"\); figures final$/);
      const daily = await buildReport(ctx(), settings, { kind: 'daily', period: dayPeriod('2026-02-27') });
      assert.match(await noteOf(daily.path), /^Its month 2026-02 closed on 2026-04-21T\d\d:\d\d:\d\dZ by alice \("February invoiced"\); figures final$/);
      const march = await buildReport(ctx(), settings, { kind: 'monthly', period: MAR });
      assert.equal(await noteOf(march.path), 'null');
      // vctp report pending rewrites a month's workbooks after a close or reopen: the event counts as data time.
      const [closure] = await readClosuresIn(store, FEB.start, FEB.end);
      const due = await duePendingReports(ctx(), { ...settings, daily_snapshot_max_age_months: 12 });
      assert.equal(due.find((r) => r.kind === 'monthly' && r.period === '2026-02')?.dataTime, closure!.closedAt);
      assert.equal(due.find((r) => r.kind === 'daily' && r.period === '2026-02-27')?.dataTime, closure!.closedAt);
      assert.ok((due.find((r) => r.kind === 'monthly' && r.period === '2026-03')?.dataTime ?? 0) < closure!.closedAt);
    });

    it('refuses to re-aggregate the month or any of its days, when named', async () => {
      const ids = await vcenters();
      const input = { vcenterId: ids.get('vc1')!, vcenter: 'vc1', engine: 'app' as const };
      let e = await refusal(aggregateMonth(ctx(), RETENTION, { ...input, period: FEB }));
      assert.equal(e.code, 'closed');
      assert.match(e.message, /^--month 2026-02: the month 2026-02 is closed \(by alice at .*\); its figures are final: run vctp month reopen 2026-02 --reason TEXT first$/);
      e = await refusal(aggregateDay(ctx(), RETENTION, { ...input, period: dayPeriod('2026-02-27') }));
      assert.match(e.message, /^--date 2026-02-27: the month 2026-02 is closed/);
      for (const kind of ['daily', 'monthly'] as const) {
        e = await refusal(runAggregate(ctx(), RETENTION, { kind, period: kind === 'daily' ? '2026-02-27' : '2026-02', engine: 'sql', lockWaitSeconds: 0 }));
        assert.equal(e.code, 'closed');
      }
      assert.deepEqual(await runs('aggregate-monthly'), [], 'a refusal is no run');
      assert.deepEqual(await dump(store, `vm_monthly_summary WHERE month = ${FEB.start}`, 'vcenter_id, lifecycle_id'), febMonthly);
      assert.deepEqual(await dump(store, `vm_daily_rollup WHERE day >= ${FEB.start} AND day < ${FEB.end}`, 'vcenter_id, day, lifecycle_id'), febDaily);
    });

    it('a timer\'s run of the default period skips a closed month, recorded as skipped, without failing', async () => {
      const atMarch = (): JobContext => ({ store, log: silentLogger(), now: () => utc('2026-03-01T06:00:00Z') * 1000 });
      for (const kind of ['daily', 'monthly'] as const) {
        const result = await runAggregate(atMarch(), RETENTION, { kind, engine: 'app', lockWaitSeconds: 0 });
        assert.ok(!result.skipped);
        assert.deepEqual(result.outcomes, []);
        assert.equal(result.closed?.month, '2026-02');
        assert.equal(result.closed?.period, kind === 'daily' ? '2026-02-28' : '2026-02');
      }
      assert.deepEqual(await runs('aggregate-daily'), ['skipped']);
      assert.deepEqual(await runs('aggregate-monthly'), ['skipped']);
    });

    it('repair lists a stale day of the closed month as skipped and goes on', async () => {
      // A snapshot "stored" after the day's summary makes it stale, as repair judges it.
      await store.run(sql`UPDATE snapshot_registry SET created_at = ${NOW + 3600} WHERE vcenter_id = 1 AND kind = 'hourly' AND snapshot_time = ${utc('2026-02-27T06:00:00Z')}`);
      const result = await runRepair(ctx(), RETENTION, { all: true, engine: 'app', lockWaitSeconds: 0 });
      assert.ok(!result.skipped);
      const feb = result.actions.filter((a) => a.period.startsWith('2026-02'));
      assert.deepEqual(
        feb.map((a) => [a.vcenter, a.kind, a.period, a.result]),
        [
          ['vc1', 'daily', '2026-02-27', 'skipped'],
          ['vc1', 'monthly', '2026-02', 'skipped'],
        ],
      );
      assert.match(feb[0]!.message!, /^the month 2026-02 is closed \(by alice at .*\); vctp month reopen 2026-02 --reason TEXT first$/);
      assert.ok(result.actions.every((a) => a.result !== 'failed'));
      assert.equal((await runs('repair')).at(-1), 'ok');
      await store.run(sql`UPDATE snapshot_registry SET created_at = ${NOW - 86_400} WHERE vcenter_id = 1 AND kind = 'hourly' AND snapshot_time = ${utc('2026-02-27T06:00:00Z')}`);
    });

    it('refuses a snapshot stored or taken back in the month, and a lifecycle correction over it', async () => {
      const febTime = utc('2026-02-27T06:00:00Z');
      let e = await refusal(runSnapshotDelete(ctx(), { reports_dir: '/nonexistent' }, { vcenter: 'vc1', at: febTime, lockWaitSeconds: 0 }));
      assert.equal(e.code, 'closed');
      assert.match(e.message, /^--at 2026-02-27T06:00:00Z: the month 2026-02 is closed/);
      const snapshotSettings = { ...RETENTION, vcenter_addresses: ['https://vc1/sdk'], vcenter_username: 'u' } as unknown as SnapshotSettings;
      e = await refusal(runSnapshot(ctx(), snapshotSettings, { at: febTime + 1800, password: 'x' }));
      assert.match(e.message, /^--at 2026-02-27T06:30:00Z: the month 2026-02 is closed/);
      // And in the capture's own transaction (a month closed while a run waited): nothing is stored.
      e = await refusal(captureInventory(ctx(), SETTINGS, { vcenter: 'vc3', snapshotTime: febTime, records: [] }));
      assert.match(e.message, /^snapshot 2026-02-27T06:00:00Z: the month 2026-02 is closed/);
      assert.equal((await store.all(sql`SELECT 1 FROM snapshot_registry r JOIN vcenters v ON v.id = r.vcenter_id WHERE v.name = 'vc3'`)).length, 0);
      await store.run(sql`DELETE FROM vcenters WHERE name = 'vc3'`);
      // A VM seen in February (and since): its summaries of February carry its lifecycle.
      const vmId = String(
        (await store.all<{ vm_id: string }>(sql`
          SELECT l.vm_id FROM vm_lifecycle l JOIN vm_daily_rollup d ON d.lifecycle_id = l.id AND d.vcenter_id = l.vcenter_id
          WHERE l.vcenter_id = 1 AND d.day = ${utc('2026-02-27T00:00:00Z')} ORDER BY l.id`))[0]!.vm_id,
      );
      const importInput = { vcenter: 'vc1', vmId, creationTime: utc('2025-06-01T00:00:00Z'), reason: 'from the ticket', user: 'bob', source: 'api', lockWaitSeconds: 0 };
      e = await refusal(runImportVm(ctx(), importInput));
      assert.equal(e.code, 'closed');
      assert.match(e.message, new RegExp(`^vmId ${vmId} in vc1 \\(its summaries of 2026-\\d\\d-\\d\\d to 2026-\\d\\d-\\d\\d carry its lifecycle\\): the month 2026-02 is closed`));
      assert.equal((await store.all(sql`SELECT * FROM vm_lifecycle_imports`)).length, 0);
      assert.deepEqual(await runs('snapshot-delete'), []);
      assert.deepEqual(await runs('import-vm'), []);
    });

    it('retention keeps the closed month whole and trims the months on either side', async () => {
      const result = await runRetention(ctx(), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
      assert.ok(!result.skipped);
      assert.deepEqual(result.closedMonthsKept, ['2026-02']);
      assert.deepEqual(result.cuts, { hourlyCut: CUT, dailyCut: MAR.start });
      // vm_hourly_stats: exactly the old rows of February and from the cut on.
      assert.deepEqual(await hourlyView(store), preView.filter((r) => Number(r.snapshot_time) >= CUT || inFeb(Number(r.snapshot_time))));
      const hourly = await store.all<{ t: number }>(sql`SELECT DISTINCT snapshot_time AS t FROM snapshot_registry WHERE kind = 'hourly' ORDER BY 1`);
      assert.ok(hourly.every((r) => Number(r.t) >= CUT || inFeb(Number(r.t))));
      assert.ok(hourly.some((r) => inFeb(Number(r.t))));
      // Daily summaries: January's gone, February's kept whole, March's within daily retention.
      assert.deepEqual(await dump(store, `vm_daily_rollup WHERE day >= ${FEB.start} AND day < ${FEB.end}`, 'vcenter_id, day, lifecycle_id'), febDaily);
      const daily = await store.all<{ day: number }>(sql`SELECT DISTINCT day FROM vm_daily_rollup WHERE day < ${FEB.start}`);
      assert.equal(daily.length, 0);
      // Hourly totals only where hourly snapshots are; vc2 (nothing since March) lost its latest totals.
      const orphanTotals = await store.all(sql`
        SELECT 1 FROM vcenter_aggregate_totals t WHERE kind = 'hourly'
        AND NOT EXISTS (SELECT 1 FROM snapshot_registry r WHERE r.vcenter_id = t.vcenter_id AND r.kind = 'hourly' AND r.snapshot_time = t.snapshot_time)`);
      assert.equal(orphanTotals.length, 0);
      const latest = await store.all<{ vcenter_id: number }>(sql`SELECT vcenter_id FROM vcenter_latest_totals ORDER BY vcenter_id`);
      assert.deepEqual(latest.map((r) => Number(r.vcenter_id)), [1]);
      assert.equal((await runs('retention')).at(-1), 'ok');
      // Nothing dangles: every span and summary row has its lifecycle and identity rows.
      for (const table of ['vm_spans', 'vm_daily_rollup', 'vm_monthly_summary']) {
        const lost = await store.all(sql.raw(`SELECT 1 FROM ${table} x WHERE NOT EXISTS (SELECT 1 FROM vm_lifecycle l WHERE l.id = x.lifecycle_id)
          OR NOT EXISTS (SELECT 1 FROM vm_identities i WHERE i.id = x.identity_id)`));
        assert.equal(lost.length, 0, table);
      }
    });

    it('backfill keeps the closed month\'s totals as they were and rebuilds the others', async () => {
      await store.run(sql`UPDATE vcenter_aggregate_totals SET vm_count = 999 WHERE kind = 'monthly' AND snapshot_time IN (${FEB.start}, ${MAR.start})`);
      await store.run(sql`UPDATE vcenter_aggregate_totals SET vm_count = 999 WHERE kind = 'hourly' AND snapshot_time = ${utc('2026-02-27T06:00:00Z')}`);
      const result = await runBackfill(ctx(), RETENTION, { lockWaitSeconds: 0 });
      assert.ok(!result.skipped);
      assert.deepEqual(result.closedMonthsKept, ['2026-02']);
      assert.ok(result.outcomes.every((o) => o.ok));
      const counts = await store.all<{ kind: string; t: number; n: number }>(sql`
        SELECT kind, snapshot_time AS t, vm_count AS n FROM vcenter_aggregate_totals
        WHERE vcenter_id = 1 AND ((kind = 'monthly' AND snapshot_time IN (${FEB.start}, ${MAR.start})) OR (kind = 'hourly' AND snapshot_time = ${utc('2026-02-27T06:00:00Z')}))
        ORDER BY kind, snapshot_time`);
      assert.deepEqual(counts.map((r) => [r.kind, Number(r.t), Number(r.n) === 999]), [
        ['hourly', utc('2026-02-27T06:00:00Z'), true],
        ['monthly', FEB.start, true],
        ['monthly', MAR.start, false],
      ]);
      // vc2's latest snapshot lies in February: its kept latest row (none: retention removed it) stays absent, no hourly row is rewritten.
      assert.deepEqual((await store.all<{ vcenter_id: number }>(sql`SELECT vcenter_id FROM vcenter_latest_totals ORDER BY vcenter_id`)).map((r) => Number(r.vcenter_id)), [1]);
      await store.run(sql`UPDATE vcenter_aggregate_totals SET vm_count = 0 WHERE vm_count = 999`);
    });

    it('reopens with a reason only; the month aggregates again, to the same rows, from the data retention kept', async () => {
      const e = await refusal(runMonthReopen(ctx(), { month: FEB, reason: '', user: 'bob', lockWaitSeconds: 0 }));
      assert.equal(e.code, 'usage');
      assert.match((await refusal(runMonthReopen(ctx(), { month: MAR, reason: 'x', user: 'bob', lockWaitSeconds: 0 }))).message, /^2026-03: the month is not closed; there is nothing to reopen$/);
      const result = await runMonthReopen(ctx(), { month: FEB, reason: 'credit note for vc2', user: 'bob', lockWaitSeconds: 0 });
      assert.ok(!result.skipped);
      assert.equal(result.closedBy, 'alice');
      assert.equal(result.reopenedBy, 'bob');
      assert.equal((await store.all(sql`SELECT * FROM month_closures`)).length, 0);
      assert.deepEqual(await runs('month-close'), ['ok']);
      assert.deepEqual(await runs('month-reopen'), ['ok']);
      const months = await listMonths(ctx());
      assert.deepEqual(months.closed, []);
      assert.deepEqual(
        months.events.map((ev) => [ev.month, ev.action, ev.by, ev.reason]),
        [
          ['2026-02', 'close', 'alice', 'February invoiced'],
          ['2026-02', 'reopen', 'bob', 'credit note for vc2'],
        ],
      );

      const ids = await vcenters();
      for (const source of ['daily', 'hourly'] as const) {
        for (const [name, id] of ids) await aggregateMonth(ctx(), withSource(source), { vcenterId: id, vcenter: name, engine: 'app', period: FEB });
        assert.deepEqual(await dump(store, `vm_monthly_summary WHERE month = ${FEB.start}`, 'vcenter_id, lifecycle_id'), febMonthly, source);
      }
      await aggregateDay(ctx(), RETENTION, { vcenterId: ids.get('vc1')!, vcenter: 'vc1', engine: 'sql', period: dayPeriod('2026-02-27') });

      // Open again, retention may trim it now.
      const trimmed = await runRetention(ctx(), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
      assert.ok(!trimmed.skipped);
      assert.deepEqual(trimmed.closedMonthsKept, []);
      assert.ok(trimmed.removed.hourlySnapshots > 0);
      assert.deepEqual(await hourlyView(store), preView.filter((r) => Number(r.snapshot_time) >= CUT));
    });
  });
}
