// `vctp db cleanup` on both databases: the maintenance runs outside any transaction, frees what
// deleted rows left behind (SQLite), refreshes planner statistics, and changes no data.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { hourlyIndexNote, runDbCleanup } from '../../src/jobs/db-cleanup.js';
import type { Store } from '../../src/store/executor.js';
import { postgresTableNames } from '../../src/store/maintenance-repository.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { captureSeries, dumpAll, Fleet, hoursFrom, random, SETTINGS, utc } from './maintenance-fleet.js';

// PostgreSQL also with monthly partitions (src/store/pg-partitions.ts): VACUUM reaches every
// partition, and the sizes count the partitions' bytes.
const VARIANTS = [...ENGINES.map((engine) => ({ engine, partitioned: false })), { engine: 'postgres' as const, partitioned: true }];

for (const { engine, partitioned } of VARIANTS) {
  describe(`vctp db cleanup (${engine}${partitioned ? ', partitioned' : ''})`, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await createTestDatabase(engine, { partitioned });
      store = await db.open();
      await captureSeries(testContext(store), 'vc1', new Fleet(random(7), 30), hoursFrom(utc('2026-04-20T00:00:00Z'), 12));
      // Rows written and deleted again leave free pages behind (SQLite) and dead tuples (PostgreSQL).
      await store.transaction(async (tx) => {
        for (let i = 0; i < 2_000; i++) {
          await tx.run(sql`INSERT INTO job_runs (job, vcenter, started_at, finished_at, status, duration_ms, attempts, rows, error)
            VALUES ('filler', NULL, ${i}, ${i}, 'failed', 0, 1, NULL, ${'x'.repeat(1_000)})`);
        }
      });
      await store.run(sql`DELETE FROM job_runs WHERE job = 'filler'`);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('runs the maintenance of its database, changes no data and says what it did', async () => {
      const data = await dumpAll(store);
      const result = await runDbCleanup(testContext(store), SETTINGS);
      assert.deepEqual(await dumpAll(store), data);
      assert.equal(result.dialect, engine);
      assert.deepEqual(result.hourlyIndexes, { maxAgeDays: 7, dropped: [], note: hourlyIndexNote(7) });
      if (engine === 'sqlite') {
        assert.deepEqual(result.steps.map((s) => s.step), ['PRAGMA optimize', 'ANALYZE', 'VACUUM', 'PRAGMA wal_checkpoint(TRUNCATE)']);
        assert.ok(result.bytesAfter < result.bytesBefore - 1_000_000, `${result.bytesBefore} -> ${result.bytesAfter}`);
        assert.match(result.steps[3]!.detail!, /WAL truncated/);
        // Emptied by the checkpoint; only the job_runs row written after it is left.
        assert.ok(statSync(`${db.settings.database_url}-wal`).size < 64 * 1024);
        const stats = await store.all(sql`SELECT 1 FROM sqlite_stat1 LIMIT 1`);
        assert.equal(stats.length, 1, 'ANALYZE wrote statistics');
      } else {
        const tables = postgresTableNames();
        assert.ok(tables.includes('vm_spans') && tables.includes('snapshot_registry') && !tables.includes('vm_hourly_stats'));
        assert.deepEqual(result.steps.map((s) => s.step), tables.map((t) => `VACUUM (ANALYZE) ${t}`));
        // A table never vacuumed or analyzed has reltuples -1 (PostgreSQL 14+).
        const unanalyzed = await store.all<{ relname: string }>(
          sql`SELECT relname FROM pg_class WHERE relname IN (${sql.join(tables.map((t) => sql`${t}`), sql`, `)}) AND reltuples < 0`,
        );
        assert.deepEqual(unanalyzed.map((r) => r.relname), []);
        assert.ok(result.bytesBefore > 0 && result.bytesAfter > 0);
        // Every table's bytes are counted, partitions included (a partitioned table has none of its
        // own): the sum over the schema's tables, less what the job_runs row written since may add.
        const all = await store.all<{ bytes: number }>(sql`
          SELECT SUM(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r'`);
        assert.ok(Math.abs(Number(all[0]!.bytes) - result.bytesAfter) <= 32 * 1024, `${all[0]!.bytes} vs ${result.bytesAfter}`);
      }
      const runs = await store.all<{ status: string }>(sql`SELECT status FROM job_runs WHERE job = 'db-cleanup'`);
      assert.deepEqual(runs.map((r) => r.status), ['ok']);
    });

    it('says that hourly_index_max_age_days has nothing to drop, or that it is disabled', () => {
      assert.match(hourlyIndexNote(0), /no per-hour tables or indexes, nothing to drop/);
      assert.match(hourlyIndexNote(-1), /disabled/);
    });
  });
}
