// `vctp import-sqlite` (src/jobs/import-sqlite.ts) between a real SQLite file and a real
// PostgreSQL database: a populated vctp SQLite database (captures of two vCenters, daily and
// monthly summaries, job runs, attribute sets, lifecycle imports, closed months; every imported
// table non-empty, texts and floats chosen to trip a careless checksum) gives the same rows and the
// same answers (totals, trace, hourly view) on PostgreSQL; a second import replaces; a row
// PostgreSQL cannot hold or refuses fails naming table and row and leaves the previous data; a
// file that is missing, not SQLite, not vctp's or of an older schema is refused before anything
// is written, as is a SQLite target.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { VctpError } from '../../src/core/errors.js';
import { openImportSource, runImportSqlite, type ImportSqliteResult } from '../../src/jobs/import-sqlite.js';
import type { JobContext } from '../../src/jobs/context.js';
import { withVcenterLock } from '../../src/jobs/job-lock.js';
import { silentLogger } from '../../src/log/logger.js';
import { readTotals } from '../../src/queries/totals.js';
import { traceVm } from '../../src/queries/trace.js';
import type { Store } from '../../src/store/executor.js';
import { openStore } from '../../src/store/open-store.js';
import { IMPORT_TABLES } from '../../src/store/sqlite-import-tables.js';
import { decodeUuid } from '../../src/store/uuid-codec.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { DAY, MONTH, NOW_MS, seedReportFleet, VC1 } from './report-fixture.js';

const UUID_COLUMNS = new Set(['vm_uuid', 'instance_uuid']);

/** Every imported table in a stable order, values as the application reads them (uuids as text). */
async function dumpImported(store: Store, options: { jobRunsUpTo?: number } = {}): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of IMPORT_TABLES) {
    const order = (table.key.length > 0 ? table.key : table.columns.map((c) => c.name)).join(', ');
    const where = table.name === 'job_runs' && options.jobRunsUpTo !== undefined ? ` WHERE id <= ${options.jobRunsUpTo}` : '';
    const cols = table.columns.map((c) => c.name).join(', ');
    const rows = await store.all<Record<string, unknown>>(sql.raw(`SELECT ${cols} FROM ${table.name}${where} ORDER BY ${order}`));
    out[table.name] = rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, UUID_COLUMNS.has(k) ? decodeUuid(v) : typeof v === 'bigint' ? Number(v) : v])),
    );
  }
  return out;
}

async function answers(store: Store): Promise<unknown> {
  const ctx = { store, log: silentLogger(), now: () => NOW_MS };
  return {
    hourly: await readTotals(ctx, { view: 'hourly', days: 30 }),
    daily: await readTotals(ctx, { view: 'daily', days: 30 }),
    monthly: await readTotals(ctx, { view: 'monthly', days: 30 }),
    trace: await traceVm(ctx, { vm: 'db01', view: 'hourly', from: DAY.start, to: DAY.start + 2 * 86_400 }),
    view: (await store.all<Record<string, unknown>>(sql`SELECT * FROM vm_hourly_stats ORDER BY vcenter, snapshot_time, inventory_id`)).map((r) => ({ ...r })),
  };
}

/** Rows the fixture's captures and aggregations do not write, with values that a careless copy or checksum gets wrong. */
async function addTheRest(store: Store): Promise<void> {
  const tricky = 'tab\there; semi;colon: 3:x \\ backslash\nnewline \u00e9\u4e2d\ud83d\ude00 "quoted"';
  await store.run(sql`INSERT INTO vm_attribute_sets (id, attributes) VALUES (1, ${'{"custom_attribute:Tenant":"acme","tag:CostCentre":"cc-100, cc-200"}'}), (2, ${tricky})`);
  await store.run(sql`UPDATE vm_spans SET attributes_id = 1 WHERE id IN (SELECT id FROM vm_spans ORDER BY id LIMIT 3)`);
  await store.run(sql`UPDATE vm_spans SET ram_gb = ${0.1 + 0.2}, provisioned_disk_gb = ${1e-300} WHERE id = (SELECT MAX(id) FROM vm_spans)`);
  await store.run(sql`INSERT INTO vm_lifecycle_imports (vcenter_id, lifecycle_id, vm_id, imported_at, imported_by, source, reason, old_creation_time, new_creation_time,
      old_deletion_time, new_deletion_time, first_day, last_day)
    VALUES (1, 1, 'vm-1', ${DAY.start + 7200}, 'alice', 'api', ${tricky}, 0, ${DAY.start - 86_400}, 0, 0, ${DAY.start}, ${DAY.start})`);
  await store.run(sql`INSERT INTO month_closures (month, closed_at, closed_by, reason, currency, rate_cards)
    VALUES (${MONTH.start}, ${NOW_MS / 1000}, 'bob', 'audited', 'EUR', '[{"vcpu":1.5}]')`);
  await store.run(sql`INSERT INTO month_closure_events (month, action, at, by, reason) VALUES
    (${MONTH.start}, 'close', ${NOW_MS / 1000 - 60}, 'bob', ''), (${MONTH.start}, 'reopen', ${NOW_MS / 1000 - 30}, 'bob', 'fix'),
    (${MONTH.start}, 'close', ${NOW_MS / 1000}, 'bob', 'audited')`);
  await store.run(sql`INSERT INTO job_runs (job, vcenter, started_at, finished_at, status, duration_ms, attempts, rows, error)
    VALUES ('snapshot', 'vc9.example.com', 1, 2, 'failed', 1000, 3, NULL, ${tricky})`);
}

/** The first column of the first row, as a number. */
async function scalar(store: Store, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await store.all<Record<string, unknown>>(query);
  return Number(Object.values(row ?? {})[0]);
}

function contextOf(store: Store): JobContext {
  return { store, log: silentLogger(), now: Date.now };
}

async function importInto(store: Store, file: string, batchRows?: number): Promise<ImportSqliteResult> {
  const source = await openImportSource(file);
  try {
    return await runImportSqlite(contextOf(store), source, { lockWaitSeconds: 5, batchRows });
  } finally {
    source.close();
  }
}

async function refusal(promise: Promise<unknown>): Promise<VctpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VctpError, `expected a VctpError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

describe('vctp import-sqlite (SQLite file -> PostgreSQL)', () => {
  let lite: TestDatabase;
  let pg: TestDatabase;
  let source: Store;
  let target: Store;
  let file: string;
  let dir: string;
  let sourceJobRuns: number;

  before(async () => {
    lite = await createTestDatabase('sqlite');
    source = await lite.open();
    await seedReportFleet(source);
    await addTheRest(source);
    file = lite.settings.database_url;
    const n = await scalar(source, sql`SELECT MAX(id) AS n FROM job_runs`);
    sourceJobRuns = n;
    pg = await createTestDatabase('postgres');
    // The schema comes from the same migrations every job runs: openStore on the empty database.
    target = await pg.open();
    dir = mkdtempSync(join(tmpdir(), 'vctp-import-'));
  });
  after(async () => {
    await source?.close();
    await target?.close();
    await lite?.drop();
    await pg?.drop();
  });

  it('the fixture fills every imported table', async () => {
    for (const table of IMPORT_TABLES) {
      const n = await scalar(source, sql.raw(`SELECT COUNT(*) AS n FROM ${table.name}`));
      assert.ok(n > 0, `${table.name} is empty in the source`);
    }
  });

  it('copies every table: the same rows, checksums and answers, identity sequences continued', async () => {
    // Small batches: several COPYs per table, as on a large file.
    const result = await importInto(target, file, 7);
    assert.equal(result.imported, true);
    assert.deepEqual(result.tables.map((t) => t.table), IMPORT_TABLES.map((t) => t.name));
    for (const t of result.tables) {
      assert.ok(t.match, `${t.table}: ${JSON.stringify(t)}`);
      assert.equal(t.sourceRows, t.targetRows);
      assert.equal(t.sourceChecksum, t.targetChecksum);
    }
    assert.equal(result.rows, result.tables.reduce((s, t) => s + t.sourceRows, 0));
    assert.ok(result.timeRange && result.timeRange.from <= DAY.start + 5 && result.timeRange.to >= DAY.start + 86_400);

    assert.deepEqual(await dumpImported(target, { jobRunsUpTo: sourceJobRuns }), await dumpImported(source));
    assert.deepEqual(await answers(target), await answers(source));

    // The import's own run follows the imported history.
    const runs = await target.all<{ id: number; job: string; status: string; rows: number }>(sql`SELECT id, job, status, rows FROM job_runs WHERE id > ${sourceJobRuns}`);
    assert.deepEqual([...runs], [{ id: sourceJobRuns + 1, job: 'import-sqlite', status: 'ok', rows: result.rows }]);
    // New rows get ids past the imported ones.
    await target.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO vcenters (name) VALUES ('vc-after-import')`);
      await tx.run(sql`INSERT INTO vm_placements (tier) VALUES ('Gold')`);
    });
    const [vc] = await target.all<{ id: number }>(sql`SELECT id FROM vcenters WHERE name = 'vc-after-import'`);
    const vcenters = await scalar(source, sql`SELECT MAX(id) AS n FROM vcenters`);
    assert.equal(vc!.id, vcenters + 1);
  });

  it('a second import replaces what the tables held', async () => {
    await target.run(sql`INSERT INTO month_closures (month, closed_at, closed_by) VALUES (1, 2, 'stray')`);
    const result = await importInto(target, file);
    assert.ok(result.tables.every((t) => t.match));
    assert.deepEqual(await dumpImported(target, { jobRunsUpTo: sourceJobRuns }), await dumpImported(source));
    const n = await scalar(target, sql`SELECT COUNT(*)::int AS n FROM vcenters WHERE name = 'vc-after-import'`);
    assert.equal(n, 0);
  });

  /** A copy of the source file changed by `change`, through a store on it. */
  async function variant(name: string, change: (store: Store) => Promise<void>): Promise<string> {
    const path = join(dir, `${name}.sqlite3`);
    // VACUUM INTO: a consistent copy, WAL included (the source store is still open).
    await source.run(sql`VACUUM INTO ${path}`);
    const store = await openStore({ database_driver: 'sqlite', database_url: path });
    try {
      await change(store);
    } finally {
      await store.close();
    }
    return path;
  }

  /** The latest job run: a refused import is recorded as a failed run (after its rollback). */
  async function lastRun(): Promise<{ job: string; status: string; error: string }> {
    const [run] = await target.all<{ job: string; status: string; error: string }>(sql`SELECT job, status, error FROM job_runs ORDER BY id DESC LIMIT 1`);
    return { ...run! };
  }
  const imported = () => dumpImported(target, { jobRunsUpTo: sourceJobRuns });

  it('a value PostgreSQL cannot hold fails naming table, row and column; the previous data stays', async () => {
    const before = await imported();
    const textInInteger = await variant('text-in-integer', async (store) => {
      await store.run(sql`UPDATE vm_spans SET vcpu_count = 'four' WHERE id = 5`);
    });
    const error = await refusal(importInto(target, textInInteger, 3));
    assert.equal(error.code, 'database');
    assert.match(error.message, /table vm_spans, row \d+ \(id=5\): column vcpu_count \(integer NOT NULL\) cannot hold the text "four"/);
    assert.match(error.message, new RegExp(textInInteger.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(error.message, /Nothing was imported/);
    assert.deepEqual(await imported(), before);
    assert.deepEqual(await lastRun(), { job: 'import-sqlite', status: 'failed', error: error.message });

    const nul = await variant('nul-in-text', async (store) => {
      await store.run(sql`UPDATE vm_placements SET folder = ${'/DC0/vm\0evil'} WHERE id = 2`);
    });
    const nulError = await refusal(importInto(target, nul));
    assert.match(nulError.message, /table vm_placements, row \d+ \(id=2\): column folder \(text\) cannot hold the text .*NUL byte/);
    assert.deepEqual(await imported(), before);
  });

  it('a row the server rejects fails naming the table and the row, and changes nothing', async () => {
    const before = await imported();
    // SQLite without the unique index takes a second row for vc 1's vm-1; PostgreSQL's index refuses it.
    const duplicate = await variant('duplicate-key', async (store) => {
      await store.run(sql`DROP INDEX vm_lifecycle_vcenter_vm`);
      await store.run(sql`INSERT INTO vm_lifecycle (id, vcenter_id, vm_id, creation_time, deletion_time, first_seen, last_seen) VALUES (9999, 1, 'vm-1', 0, 0, 1, NULL)`);
    });
    const error = await refusal(importInto(target, duplicate));
    assert.equal(error.code, 'database');
    // The duplicate is the file's last vm_lifecycle row: named by its number and key.
    const rows = await scalar(source, sql`SELECT COUNT(*) AS n FROM vm_lifecycle`);
    assert.match(error.message, new RegExp(`PostgreSQL refused row ${rows + 1} \\(id=9999\\) of table vm_lifecycle`));
    assert.match(error.message, /Key \(vcenter_id, vm_id\)=\(1, vm-1\) already exists/);
    assert.match(error.message, /Nothing was imported/);
    assert.deepEqual(await imported(), before);
    assert.deepEqual(await lastRun(), { job: 'import-sqlite', status: 'failed', error: error.message });
  });

  it('a checksum that differs fails the import before the commit, naming the table, and changes nothing', async () => {
    const before = await imported();
    const file2 = await openImportSource(file);
    try {
      // As if a value had been altered on the way: the file's side of one table's checksum differs.
      const real = file2.checksum.bind(file2);
      file2.checksum = (table: string) => (table === 'vm_placements' ? { ...real(table), checksum: 'deadbeefdeadbeef' } : real(table));
      const error = await refusal(runImportSqlite(contextOf(target), file2, { lockWaitSeconds: 5 }));
      assert.equal(error.code, 'database');
      assert.match(error.message, /differs from the file in vm_placements \(file \d+ rows, checksum deadbeefdeadbeef; PostgreSQL \d+ rows, checksum [0-9a-f]{16}\)/);
      assert.match(error.message, /rolled back/);
    } finally {
      file2.close();
    }
    assert.deepEqual(await imported(), before);
    // The identity sequences rolled back too (they had been moved to just past the file's ids):
    // new rows still get ids past every id in the tables.
    const maxRun = await scalar(target, sql`SELECT MAX(id) AS n FROM job_runs`);
    const maxVcenter = await scalar(target, sql`SELECT MAX(id) AS n FROM vcenters`);
    await target.run(sql`INSERT INTO job_runs (job, started_at, finished_at, status, duration_ms) VALUES ('db-cleanup', 1, 2, 'ok', 5)`);
    await target.run(sql`INSERT INTO vcenters (name) VALUES ('vc-after-failed-import')`);
    assert.ok((await scalar(target, sql`SELECT MAX(id) AS n FROM job_runs`)) > maxRun);
    assert.ok((await scalar(target, sql`SELECT id AS n FROM vcenters WHERE name = 'vc-after-failed-import'`)) > maxVcenter);
    await target.run(sql`DELETE FROM job_runs WHERE job = 'db-cleanup' AND started_at = 1`);
    await target.run(sql`DELETE FROM vcenters WHERE name = 'vc-after-failed-import'`);
  });

  it('waits for a running capture of any vCenter, and gives up after --lock-wait, importing nothing', async () => {
    const before = await imported();
    const file2 = await openImportSource(file);
    try {
      // Another collector capturing vc1 (its per-vCenter snapshot lock) for the whole attempt.
      const held = await withVcenterLock(contextOf(target), 'snapshot', VC1, 5, async () => runImportSqlite(contextOf(target), file2, { lockWaitSeconds: 1 }));
      assert.equal(held.acquired, true);
      const result = held.acquired ? held.result : null;
      assert.equal(result?.imported, false);
      assert.match(result?.lockHolder ?? '', /:\d+/);
    } finally {
      file2.close();
    }
    assert.deepEqual(await imported(), before);
    assert.equal((await lastRun()).status, 'skipped');
  });

  it('refuses a missing file, a file that is not SQLite, a SQLite file that is not vctp\'s, an older schema, before writing anything', async () => {
    const missing = await refusal(openImportSource(join(dir, 'nope.sqlite3')));
    assert.equal(missing.code, 'not-found');
    assert.match(missing.message, /nope\.sqlite3 does not exist/);

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'settings:\n  database_driver: sqlite\n');
    const notSqlite = await refusal(openImportSource(text));
    assert.equal(notSqlite.code, 'usage');
    assert.match(notSqlite.message, /notes\.txt is not a SQLite database/);

    const empty = join(dir, 'empty.sqlite3');
    writeFileSync(empty, '');
    assert.match((await refusal(openImportSource(empty))).message, /empty\.sqlite3 is not a SQLite database \(it is empty\)/);

    const other = await variant('other-app', async (store) => {
      for (const table of [...IMPORT_TABLES.map((t) => t.name), 'job_locks', '__drizzle_migrations']) await store.run(sql.raw(`DROP TABLE ${table}`));
      await store.run(sql`DROP VIEW vm_hourly_stats`);
      await store.run(sql`CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)`);
    });
    const notVctp = await refusal(openImportSource(other));
    assert.equal(notVctp.code, 'usage');
    assert.match(notVctp.message, /other-app\.sqlite3 is a SQLite database but not vctp's: it has none of vctp's tables \(its tables: invoices\)/);

    const older = await variant('older', async (store) => {
      await store.run(sql`DELETE FROM __drizzle_migrations WHERE created_at = (SELECT MAX(created_at) FROM __drizzle_migrations)`);
    });
    const olderError = await refusal(openImportSource(older));
    assert.match(olderError.message, /older\.sqlite3 has an older vctp schema \(1 migration\(s\) not applied: \w+\).*vctp db migrate -s FILE/);
  });

  it('imports into a partitioned PostgreSQL database (postgres_vm_hourly_partitioning_enabled): month partitions made, same rows and answers', async () => {
    const parted = await createTestDatabase('postgres');
    const store = await openStore({ ...parted.settings, postgres_vm_hourly_partitioning_enabled: true });
    try {
      const result = await importInto(store, file, 50);
      assert.ok(result.tables.every((t) => t.match));
      assert.deepEqual(await dumpImported(store, { jobRunsUpTo: sourceJobRuns }), await dumpImported(source));
      assert.deepEqual(await answers(store), await answers(source));
      // The file's April rows sit in April's partitions.
      const partitions = await store.all<{ name: string }>(sql`
        SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname IN ('vm_spans', 'snapshot_registry_hourly', 'vcenter_aggregate_totals_hourly') ORDER BY 1`);
      for (const parent of ['vm_spans', 'snapshot_registry_hourly', 'vcenter_aggregate_totals_hourly']) {
        assert.ok(partitions.some((p) => p.name === `${parent}_p202604`), `${parent}: ${JSON.stringify(partitions)}`);
      }
    } finally {
      await store.close();
      await parted.drop();
    }
  });

  it('refuses a SQLite target, naming settings.database_driver', async () => {
    const other = await createTestDatabase('sqlite');
    const store = await other.open();
    const sourceFile = await openImportSource(file);
    try {
      const error = await refusal(runImportSqlite(contextOf(store), sourceFile, { lockWaitSeconds: 1 }));
      assert.equal(error.code, 'config');
      assert.match(error.message, /settings\.database_driver/);
      const n = await scalar(store, sql`SELECT COUNT(*) AS n FROM vcenters`);
      assert.equal(n, 0);
    } finally {
      sourceFile.close();
      await store.close();
      await other.drop();
    }
  });
});
