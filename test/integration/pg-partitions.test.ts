// settings.postgres_vm_hourly_partitioning_enabled on a real PostgreSQL (src/store/pg-partitions*.ts):
// converting an existing database with history changes no query's answer; captures into a
// partitioned database (across month boundaries) store what an unpartitioned one stores; partitions
// exist ahead and none is a DEFAULT one; a row of a month without a partition fails naming the
// setting; retention drops old months whole and trims partly old ones exactly as the unpartitioned
// path does (also around a closed month, and after an interrupted run); turning the setting off is
// refused; SQLite ignores it with its warning.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { parseSettings } from '../../src/config/parse-settings.js';
import { partitionCheck } from '../../src/core/doctor-partitions.js';
import { VctpError } from '../../src/core/errors.js';
import { dayPeriod, monthPeriod } from '../../src/core/periods.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import { runMonthClose, runMonthReopen } from '../../src/jobs/month-close.js';
import { runRetention } from '../../src/jobs/retention.js';
import type { Store } from '../../src/store/executor.js';
import { openStore } from '../../src/store/open-store.js';
import { ensureMonthPartitions, listPartitions, partitionedTables, partitionFacts } from '../../src/store/pg-partitions.js';
import { readAggregateTotals } from '../../src/store/totals-read-repository.js';
import { findTraceTargets, readTraceSpans } from '../../src/store/trace-repository.js';
import { listVcenters } from '../../src/store/vcenter-repository.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { captureSeries, dumpAll, Fleet, H, hourlyView, hoursFrom, random, SETTINGS, utc } from './maintenance-fleet.js';

const NOW = utc('2026-04-21T12:00:00Z');
const RETENTION = { ...SETTINGS, hourly_snapshot_max_age_days: 2, daily_snapshot_max_age_months: 1 };
const CLOSE_SETTINGS = { ...RETENTION, rate_cards: [] };
const TABLES = ['vm_spans', 'snapshot_registry', 'vcenter_aggregate_totals'];
const DAYS = ['2026-02-10', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-16', '2026-04-19', '2026-04-20'];

/**
 * The same seeded history in any database: vc1 in February, across the March/April boundary and
 * since 04-16; vc2 in February only. Days and February and March aggregated.
 */
async function buildHistory(store: Store): Promise<void> {
  const ctx = testContext(store, NOW * 1000);
  await captureSeries(ctx, 'vc1', new Fleet(random(3), 30), [
    ...hoursFrom(utc('2026-02-10T00:00:00Z'), 6),
    ...hoursFrom(utc('2026-03-30T00:00:00Z'), 20, 3 * H),
    ...hoursFrom(utc('2026-04-16T00:00:00Z'), 43, 3 * H),
  ]);
  await captureSeries(ctx, 'vc2', new Fleet(random(4), 10), hoursFrom(utc('2026-02-10T00:00:00Z'), 3, 2 * H));
  await aggregateAll(store, 'app');
}

async function aggregateAll(store: Store, engine: 'app' | 'sql'): Promise<void> {
  const ctx = testContext(store, NOW * 1000);
  for (const vc of await listVcenters(store)) {
    const input = { vcenterId: vc.id, vcenter: vc.name, engine };
    for (const day of DAYS) {
      const period = dayPeriod(day);
      const rows = await store.all(sql`SELECT 1 FROM snapshot_registry WHERE vcenter_id = ${vc.id} AND kind = 'hourly' AND snapshot_time >= ${period.start} AND snapshot_time < ${period.end}`);
      if (rows.length > 0) await aggregateDay(ctx, RETENTION, { ...input, period });
    }
    for (const month of ['2026-02', '2026-03']) {
      const period = monthPeriod(month);
      const rows = await store.all(sql`SELECT 1 FROM snapshot_registry WHERE vcenter_id = ${vc.id} AND kind = 'hourly' AND snapshot_time >= ${period.start} AND snapshot_time < ${period.end}`);
      if (rows.length > 0) await aggregateMonth(ctx, RETENTION, { ...input, period });
    }
  }
}

/** Every table, the hourly view, trace answers and the totals the read API serves. */
async function answers(store: Store): Promise<Record<string, unknown>> {
  const vcenters = (await listVcenters(store)).map((v) => v.id);
  const traces: Record<string, unknown> = {};
  for (const name of ['vm1', 'vm5', 'aa-7', 'vm12', 'vm31']) {
    const targets = await findTraceTargets(store, name, vcenters);
    traces[name] = { targets, spans: await readTraceSpans(store, targets, NOW) };
  }
  const totals: Record<string, unknown> = {};
  for (const kind of ['hourly', 'daily', 'monthly'] as const) totals[kind] = await readAggregateTotals(store, kind, 0, vcenters);
  return { tables: await dumpAll(store), view: await hourlyView(store), traces, totals };
}

async function partitionNames(store: Store): Promise<string[]> {
  const rows = await store.all<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname IN ('vm_spans', 'snapshot_registry', 'snapshot_registry_hourly', 'vcenter_aggregate_totals', 'vcenter_aggregate_totals_hourly')
    ORDER BY 1`);
  return rows.map((r) => r.name);
}

const monthNames = (parent: string, months: readonly string[]) => months.map((m) => `${parent}_p${m.replace('-', '')}`);

function thisAndNextMonth(): string[] {
  const d = new Date();
  return [0, 1].map((k) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1)).toISOString().slice(0, 7));
}

/** Leaves `child` in the "detach pending" state an interrupted DETACH ... CONCURRENTLY leaves. */
async function pendingDetach(url: string, parent: string, child: string): Promise<void> {
  const reader = postgres(url, { max: 1, onnotice: () => {} });
  const detacher = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await reader.begin('ISOLATION LEVEL REPEATABLE READ', async (tx) => {
      await tx.unsafe(`SELECT COUNT(*) FROM ${parent}`);
      await detacher.unsafe(`SET statement_timeout = '1s'`);
      const error = await errorOf(detacher.unsafe(`ALTER TABLE ${parent} DETACH PARTITION ${child} CONCURRENTLY`));
      assert.match(error.message, /statement timeout/);
    });
  } finally {
    await reader.end({ timeout: 5 });
    await detacher.end({ timeout: 5 });
  }
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected an error');
}

describe('PostgreSQL monthly partitions', () => {
  // plain: built unpartitioned, then converted; fresh: partitioned from its first open; control: never partitioned.
  const dbs: Record<'plain' | 'fresh' | 'control', TestDatabase | undefined> = { plain: undefined, fresh: undefined, control: undefined };
  const stores: Store[] = [];
  let control: Store;
  let fresh: Store;
  let expected: Record<string, unknown>;

  before(async () => {
    dbs.control = await createTestDatabase('postgres');
    dbs.fresh = await createTestDatabase('postgres', { partitioned: true });
    control = await dbs.control.open();
    fresh = await dbs.fresh.open();
    stores.push(control, fresh);
    await buildHistory(control);
    await buildHistory(fresh);
    expected = await answers(control);
  });
  after(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    for (const db of Object.values(dbs)) await db?.drop();
  });

  it('a new database is partitioned at its first open: the three tables, this month and the next, no DEFAULT partition', async () => {
    assert.deepEqual([...(await partitionedTables(fresh))].sort(), [...TABLES].sort());
    const names = await partitionNames(fresh);
    for (const parent of ['vm_spans', 'snapshot_registry_hourly', 'vcenter_aggregate_totals_hourly']) {
      for (const name of monthNames(parent, thisAndNextMonth())) assert.ok(names.includes(name), `${name} exists ahead`);
    }
    for (const name of ['vm_spans_p_open', 'snapshot_registry_hourly', 'snapshot_registry_summaries', 'vcenter_aggregate_totals_summaries']) {
      assert.ok(names.includes(name), name);
    }
    const defaults = await fresh.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM pg_partitioned_table WHERE partdefid <> 0`);
    assert.equal(Number(defaults[0]!.n), 0);
  });

  it('captures across month boundaries store exactly what an unpartitioned database stores; spans live in the month they end in', async () => {
    assert.deepEqual(await answers(fresh), expected);
    // The captures (dated February to April, the clock is later) made their months' partitions.
    const names = await partitionNames(fresh);
    for (const name of monthNames('vm_spans', ['2026-02', '2026-03', '2026-04'])) assert.ok(names.includes(name), name);
    const misplaced = await fresh.all<{ n: number }>(sql`
      SELECT COUNT(*) AS n FROM vm_spans
      WHERE tableoid::regclass::text <> CASE WHEN last_seen IS NULL THEN 'vm_spans_p_open'
                                             ELSE 'vm_spans_p' || to_char(to_timestamp(last_seen) AT TIME ZONE 'UTC', 'YYYYMM') END`);
    assert.equal(Number(misplaced[0]!.n), 0);
    const crossing = await fresh.all<{ n: number }>(sql`
      SELECT COUNT(*) AS n FROM vm_spans WHERE first_seen < ${utc('2026-04-01T00:00:00Z')} AND last_seen >= ${utc('2026-04-01T00:00:00Z')}`);
    assert.ok(Number(crossing[0]!.n) > 0, 'some span runs across the March/April boundary');
  });

  it('converting an existing unpartitioned database changes no answer; aggregation gives the same rows after it', async () => {
    dbs.plain = await createTestDatabase('postgres');
    let plain = await dbs.plain.open();
    await buildHistory(plain);
    // Both engines' output before, to compare with their output after.
    await aggregateAll(plain, 'sql');
    const sqlEngine = await dumpAll(plain);
    await aggregateAll(plain, 'app');
    assert.deepEqual(await answers(plain), expected);
    assert.equal((await partitionedTables(plain)).size, 0);
    await plain.close();

    plain = await openStore({ ...dbs.plain.settings, postgres_vm_hourly_partitioning_enabled: true });
    stores.push(plain);
    assert.deepEqual([...(await partitionedTables(plain))].sort(), [...TABLES].sort());
    assert.deepEqual(await answers(plain), expected);
    // The same partitions as a database partitioned from the start.
    assert.deepEqual(await partitionNames(plain), await partitionNames(fresh));
    // Indexes came back under their names (the primary key of vm_spans as a plain index on id).
    const indexes = await plain.all<{ name: string }>(sql`
      SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('vm_spans', 'snapshot_registry', 'vcenter_aggregate_totals') ORDER BY 1`);
    assert.deepEqual(
      indexes.map((i) => i.name),
      ['snapshot_registry_id', 'snapshot_registry_vcenter_kind_time', 'vcenter_aggregate_totals_vcenter_id_kind_snapshot_time_pk', 'vm_spans_id', 'vm_spans_lifecycle', 'vm_spans_name_lower', 'vm_spans_open'],
    );
    await aggregateAll(plain, 'sql');
    assert.deepEqual(await dumpAll(plain), sqlEngine);
    await aggregateAll(plain, 'app');
    assert.deepEqual(await answers(plain), expected);
    // Opening again converts nothing more; the registry's identity continues after the highest id.
    await plain.close();
    stores.pop();
    plain = await openStore({ ...dbs.plain.settings, postgres_vm_hourly_partitioning_enabled: true });
    stores.push(plain);
    const ctx = testContext(plain, NOW * 1000);
    const t = utc('2026-04-21T09:00:00Z');
    await captureSeries(ctx, 'vc1', new Fleet(random(9), 5), [t]);
    const ids = await plain.all<{ n: number; d: number }>(sql`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM snapshot_registry`);
    assert.equal(Number(ids[0]!.n), Number(ids[0]!.d));
  });

  it('turning the setting off again is refused, naming the setting; `undefined` (no settings) leaves the tables alone', async () => {
    const error = await errorOf(openStore({ ...dbs.fresh!.settings, postgres_vm_hourly_partitioning_enabled: false }));
    assert.ok(error instanceof VctpError && error.code === 'config', String(error));
    assert.match(error.message, /settings\.postgres_vm_hourly_partitioning_enabled: is false, but this database's snapshot_registry, vcenter_aggregate_totals, vm_spans are partitioned/);
    const { postgres_vm_hourly_partitioning_enabled: _, ...none } = dbs.fresh!.settings;
    const reopened = await openStore(none);
    await reopened.close();
  });

  it('a row of a month without a partition fails, naming the setting; ensureMonthPartitions makes the month', async () => {
    const far = utc('2031-07-04T00:00:00Z');
    const insert = (db: Store | Parameters<Parameters<Store['transaction']>[0]>[0] = fresh) => db.run(sql`
      INSERT INTO snapshot_registry (vcenter_id, kind, snapshot_time, row_count, duration_ms, created_at) VALUES (1, 'hourly', ${far}, 0, 0, 0)`);
    const error = await errorOf(insert());
    assert.ok(error instanceof VctpError && error.code === 'database', String(error));
    assert.match(error.message, /no partition of relation "snapshot_registry_hourly".*settings\.postgres_vm_hourly_partitioning_enabled/s);
    await fresh.transaction(async (tx) => {
      await ensureMonthPartitions(tx, far, far);
      await ensureMonthPartitions(tx, far, far); // idempotent
      assert.equal(await insert(tx), 1);
      throw new Error('roll back');
    }).catch((e: Error) => assert.equal(e.message, 'roll back'));
    // Rolled back with the transaction: the partition went too.
    assert.ok(!(await partitionNames(fresh)).includes('snapshot_registry_hourly_p203107'));
  });

  it('retention drops whole months and trims partly old ones exactly as unpartitioned retention does, around a closed month too', async () => {
    const ctxOf = (s: Store) => testContext(s, NOW * 1000);
    // March closed: February goes whole, March stays whole, April before the cut is trimmed row by row.
    for (const s of [control, fresh]) {
      const closed = await runMonthClose(ctxOf(s), CLOSE_SETTINGS, { month: monthPeriod('2026-03'), reason: 'test', user: 'alice', lockWaitSeconds: 0 });
      assert.equal(closed.skipped, false);
    }
    const dry = await runRetention(ctxOf(fresh), RETENTION, { dryRun: true, lockWaitSeconds: 0 });
    const before = await partitionNames(fresh);
    assert.deepEqual(await partitionNames(fresh), before, 'a dry run detaches nothing');
    const a = await runRetention(ctxOf(control), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
    const b = await runRetention(ctxOf(fresh), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
    assert.ok(!a.skipped && !b.skipped && !dry.skipped);
    assert.deepEqual(b.removed, a.removed);
    assert.deepEqual(dry.removed, a.removed);
    assert.deepEqual(b.closedMonthsKept, ['2026-03']);
    assert.deepEqual(await answers(fresh), await answers(control));
    const after1 = await partitionNames(fresh);
    for (const name of [...monthNames('vm_spans', ['2026-02']), ...monthNames('snapshot_registry_hourly', ['2026-02']), ...monthNames('vcenter_aggregate_totals_hourly', ['2026-02'])]) {
      assert.ok(before.includes(name) && !after1.includes(name), `${name} dropped`);
    }
    for (const name of monthNames('vm_spans', ['2026-03', '2026-04'])) assert.ok(after1.includes(name), `${name} kept`);
    const leftovers = await fresh.all(sql`SELECT relname FROM pg_class WHERE relname ~ '_p2026[0-9]{2}$' AND NOT relispartition`);
    assert.equal(leftovers.length, 0);

    // Reopened, March lies wholly before the cut. A run interrupted after detaching (simulated:
    // March's spans detached by hand) is finished by the next, which drops the rest of March whole.
    for (const s of [control, fresh]) {
      const reopened = await runMonthReopen(ctxOf(s), { month: monthPeriod('2026-03'), reason: 'test', user: 'alice', lockWaitSeconds: 0 });
      assert.equal(reopened.skipped, false);
    }
    await fresh.run(sql`ALTER TABLE vm_spans DETACH PARTITION vm_spans_p202603`);
    const facts = await partitionFacts(fresh);
    assert.deepEqual(facts.detached, ['vm_spans_p202603']);
    // And one interrupted half-way: a concurrent detach cancelled while it waits for a reader
    // leaves March's registry partition "detach pending".
    await pendingDetach(dbs.fresh!.settings.database_url, 'snapshot_registry_hourly', 'snapshot_registry_hourly_p202603');
    const pending = await fresh.all<{ p: boolean }>(sql`SELECT inhdetachpending AS p FROM pg_inherits WHERE inhrelid = 'snapshot_registry_hourly_p202603'::regclass`);
    assert.deepEqual(pending.map((r) => r.p), [true]);
    const c = await runRetention(ctxOf(control), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
    const d = await runRetention(ctxOf(fresh), RETENTION, { dryRun: false, lockWaitSeconds: 0 });
    assert.ok(!c.skipped && !d.skipped);
    assert.ok(c.removed.spansDeleted > 0 && c.removed.hourlySnapshots > 0);
    assert.deepEqual(d.removed, c.removed);
    assert.deepEqual(await answers(fresh), await answers(control));
    const after2 = await partitionNames(fresh);
    for (const name of monthNames('vm_spans', ['2026-03'])) assert.ok(!after2.includes(name), `${name} dropped`);
    assert.deepEqual((await partitionFacts(fresh)).detached, []);
  });

  it('vctp doctor: shows the partitions, and what is wrong with them', async () => {
    const facts = await partitionFacts(fresh);
    const now = Date.now();
    const ok = partitionCheck(true, facts, now);
    assert.equal(ok.status, 'ok', ok.detail);
    assert.match(ok.detail, /vm_spans: \d+ monthly partition\(s\) 2026-0[34]\.\.\d{4}-\d{2} \+ vm_spans_p_open/);
    assert.match(ok.detail, /snapshot_registry: \d+ monthly partition\(s\) .* \+ snapshot_registry_summaries/);
    assert.equal(partitionCheck(false, facts, now).status, 'fail');
    const later = partitionCheck(true, facts, Date.UTC(2040, 0, 15));
    assert.equal(later.status, 'warn');
    assert.match(later.detail, /vm_spans has no partition for 2040-01, 2040-02/);
    const plainFacts = await partitionFacts(control);
    assert.equal(partitionCheck(false, plainFacts, now).status, 'ok');
    assert.match(partitionCheck(true, plainFacts, now).detail, /no table is partitioned yet/);
  });
});

describe('settings.postgres_vm_hourly_partitioning_enabled on SQLite', () => {
  it('is ignored with a warning, and ensureMonthPartitions does nothing there', async () => {
    const loaded = parseSettings('settings:\n  postgres_vm_hourly_partitioning_enabled: true\n', '/x.yml');
    assert.deepEqual(loaded.warnings, ['settings.postgres_vm_hourly_partitioning_enabled: only applies to PostgreSQL; ignored with sqlite']);
    assert.equal(loaded.settings.postgres_vm_hourly_partitioning_enabled, true);
    const db = await createTestDatabase('sqlite');
    const store = await openStore({ ...db.settings, postgres_vm_hourly_partitioning_enabled: true });
    try {
      await ensureMonthPartitions(store, utc('2026-01-01T00:00:00Z'), utc('2026-06-01T00:00:00Z'));
      assert.deepEqual(await listPartitions(store, ['vm_spans']), []);
      const tables = await store.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'vm_spans%'`);
      assert.deepEqual(tables.map((t) => t.name), ['vm_spans']);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

describe('ensureMonthPartitions on an unpartitioned PostgreSQL database', () => {
  it('creates nothing', async () => {
    const db = await createTestDatabase('postgres');
    const store = await db.open();
    try {
      await ensureMonthPartitions(store, utc('2026-01-01T00:00:00Z'), utc('2026-06-01T00:00:00Z'));
      assert.deepEqual(await partitionNames(store), []);
      const rows = await store.all(sql`SELECT relname FROM pg_class WHERE relname ~ '_p2026[0-9]{2}$'`);
      assert.equal(rows.length, 0);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
