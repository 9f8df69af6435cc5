// SqlExecutor.allArrays (rows as arrays, select-list order) and sql-util's allArrays, which falls
// back to all() for an executor without it: the same values as all() gives, in the same order and
// with the same types, on both databases, inside and outside a transaction.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import type { SqlExecutor, Store } from '../../src/store/executor.js';
import { allArrays } from '../../src/store/sql-util.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const QUERY = sql`
  SELECT v.a AS id, v.b AS label, v.c AS missing, v.d AS amount
  FROM (SELECT 2 AS a, 'two' AS b, NULL AS c, 2.5 AS d UNION ALL SELECT 1, 'one', NULL, 0.25) v
  ORDER BY v.a`;

for (const engine of ENGINES) {
  describe(`allArrays on ${engine}`, () => {
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

    test('the driver path and the fallback give all()\'s values as arrays', async () => {
      // PostgreSQL answers the numeric literals as text: compared as numbers.
      const normal = (rows: readonly unknown[][]) => rows.map((r) => r.map((x) => (x == null ? null : Number.isNaN(Number(x)) ? x : Number(x))));
      const objects = normal((await store.all<Record<string, unknown>>(QUERY)).map((r) => [r.id, r.label, r.missing, r.amount]));
      assert.deepEqual(objects, [
        [1, 'one', null, 0.25],
        [2, 'two', null, 2.5],
      ]);
      await store.transaction(async (tx) => {
        assert.equal(typeof tx.allArrays, 'function', `the ${engine} executor reads arrays itself`);
        const direct = await allArrays(tx, QUERY);
        const withoutArrays: SqlExecutor = {
          dialect: tx.dialect,
          all: (q) => tx.all(q),
          run: (q) => tx.run(q),
          insertRows: (t, c, r) => tx.insertRows(t, c, r),
          transaction: (fn) => fn(withoutArrays),
        };
        const fallback = await allArrays(withoutArrays, QUERY);
        assert.deepEqual(normal([...direct]), objects);
        assert.deepEqual(normal(fallback), objects);
        // all() of the same text still answers objects (the array read has its own statement), with
        // the same raw values (types included).
        const again = await tx.all<Record<string, unknown>>(QUERY);
        assert.deepEqual(Object.keys(again[0]!), ['id', 'label', 'missing', 'amount']);
        const raw = again.map((r) => Object.values(r));
        assert.deepEqual([...direct], raw);
      });
    });
  });
}
