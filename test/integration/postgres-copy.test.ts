// Bulk inserts on the real PostgreSQL (COPY FROM STDIN, src/store/postgres-store.ts): a COPY the
// server rejects fails within seconds with the server's reason, whether the rejection comes after
// the last row (where the driver alone would wait forever, porsager/postgres#1173) or mid-stream;
// a value that does not fit its column is refused before anything is sent; the transaction rolls
// back and the store serves the next one.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { VctpError } from '../../src/core/errors.js';
import type { BulkColumn, Store } from '../../src/store/executor.js';
import { openStore } from '../../src/store/open-store.js';
import { createTestDatabase, type TestDatabase, truncateAll } from '../helpers/db.js';

const NAME: BulkColumn[] = [{ name: 'name', type: 'text' }];
const IDENTITY: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'vm_uuid', type: 'text' },
  { name: 'instance_uuid', type: 'text' },
  { name: 'event_key', type: 'text' },
  { name: 'cloud_id', type: 'text' },
];
const LIFECYCLE: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'vcenter_id', type: 'int' },
  { name: 'vm_id', type: 'text' },
  { name: 'creation_time', type: 'bigint' },
  { name: 'deletion_time', type: 'bigint' },
  { name: 'first_seen', type: 'bigint' },
  { name: 'last_seen', type: 'bigint' },
];
/** Every failure here must come well within this (the driver alone never returns). */
const WITHIN_MS = 5_000;

function identityRows(from: number, count: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => [from + i, `4210${String(from + i).padStart(4, '0')}-aaaa-bbbb-cccc-000000000000`, null, `key-${from + i}`, null]);
}

async function count(store: Store, table: string): Promise<number> {
  const [row] = await store.all<{ n: number }>(sql.raw(`SELECT COUNT(*)::int AS n FROM ${table}`));
  return Number(row!.n);
}

/** Awaits `promise`, which must reject within WITHIN_MS; returns the error and how long it took. */
async function failsFast(promise: Promise<unknown>): Promise<{ error: VctpError; ms: number }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => ({ kind: 'resolved' as const }),
      (error: unknown) => ({ kind: 'rejected' as const, error }),
    ),
    new Promise<{ kind: 'hung' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'hung' }), WITHIN_MS))),
  ]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  if (outcome.kind !== 'rejected') assert.fail(`expected a rejection within ${WITHIN_MS} ms, got: ${outcome.kind}`);
  assert.ok(outcome.error instanceof VctpError, `a VctpError, not ${String((outcome.error as Error)?.stack ?? outcome.error)}`);
  return { error: outcome.error, ms };
}

describe('COPY on PostgreSQL never hangs', () => {
  let db: TestDatabase;
  let store: Store;
  before(async () => {
    db = await createTestDatabase('postgres');
    store = await db.open();
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await truncateAll(store);
    await store.run(sql`TRUNCATE vm_identities`);
    await store.insertRows('vcenters', NAME, [['vc1'], ['vc2']]);
  });

  async function assertStillServes(): Promise<void> {
    await store.transaction(async (tx) => {
      await tx.insertRows('vcenters', NAME, [['vc3']]);
      await tx.run(sql`UPDATE vcenters SET name = 'vc3b' WHERE name = 'vc3'`);
    });
    assert.deepEqual((await store.all<{ name: string }>(sql`SELECT name FROM vcenters ORDER BY name`)).map((r) => r.name), ['vc1', 'vc2', 'vc3b']);
  }

  it('a duplicate key after the last row: the server reason within seconds, the transaction rolled back, the store usable', async () => {
    const { error, ms } = await failsFast(
      store.transaction(async (tx) => {
        await tx.insertRows('vm_identities', IDENTITY, identityRows(1, 10));
        await tx.run(sql`DELETE FROM vcenters WHERE name = 'vc2'`);
        await tx.insertRows('vcenters', NAME, [['vc9'], ['vc1']]);
      }),
    );
    assert.equal(error.code, 'database');
    assert.match(error.message, /refused the write: duplicate key value violates unique constraint "vcenters_name_unique" \(SQLSTATE 23505\): Key \(name\)=\(vc1\) already exists/);
    assert.match(error.message, /^PostgreSQL at postgres:\/\/vctp_test:\*\*\*@127\.0\.0\.1:5432\/vctp_t_/);
    assert.doesNotMatch(error.message, /vctp_test:vctp_test@/);
    assert.ok(ms < WITHIN_MS, `${ms} ms`);
    assert.equal(await count(store, 'vm_identities'), 0, 'the earlier COPY of the transaction rolled back');
    assert.equal(await count(store, 'vcenters'), 2, 'the DELETE rolled back');
    await assertStillServes();
  });

  it('a duplicate key through Store.insertRows (its own transaction), also twice in a row', async () => {
    for (let i = 0; i < 2; i++) {
      const { error } = await failsFast(store.insertRows('vcenters', NAME, [['vc2']]));
      assert.equal(error.code, 'database');
      assert.match(error.message, /vcenters_name_unique/);
    }
    await assertStillServes();
  });

  it('a duplicate key among the rows of one COPY', async () => {
    const { error } = await failsFast(store.insertRows('vcenters', NAME, [['vc7'], ['vc8'], ['vc7']]));
    assert.match(error.message, /Key \(name\)=\(vc7\) already exists/);
    await assertStillServes();
  });

  it('a duplicate key at the first of 300,000 rows (the server refuses while rows still stream)', async () => {
    await store.insertRows('vm_identities', IDENTITY, identityRows(1, 1));
    const { error, ms } = await failsFast(store.insertRows('vm_identities', IDENTITY, identityRows(1, 300_000)));
    assert.match(error.message, /duplicate key value violates unique constraint "vm_identities_pkey"/);
    assert.ok(ms < WITHIN_MS, `${ms} ms`);
    assert.equal(await count(store, 'vm_identities'), 1);
    await assertStillServes();
  });

  it('a duplicate key at the last of 100,000 rows', async () => {
    const rows = identityRows(1, 100_000);
    rows.push(identityRows(50_000, 1)[0]!);
    const { error } = await failsFast(store.insertRows('vm_identities', IDENTITY, rows));
    assert.match(error.message, /Key \(id\)=\(50000\) already exists/);
    assert.equal(await count(store, 'vm_identities'), 0);
    await assertStillServes();
  });

  it('a NULL in a NOT NULL column: the server names the column', async () => {
    const { error } = await failsFast(store.insertRows('vm_lifecycle', LIFECYCLE, [[1, 1, 'vm-1', 0, 0, 100, null], [2, 1, null, 0, 0, 100, null]]));
    assert.equal(error.code, 'database');
    assert.match(error.message, /null value in column "vm_id" of relation "vm_lifecycle" violates not-null constraint \(SQLSTATE 23502\)/);
    assert.equal(await count(store, 'vm_lifecycle'), 0);
    await assertStillServes();
  });

  it('refuses a value that does not fit its column before sending it, naming row and column', async () => {
    const cases: [BulkColumn[], unknown[], RegExp][] = [
      [LIFECYCLE, [1, 1, 'vm-1', 'soon', 0, 100, null], /row 2, column creation_time \(bigint\) cannot hold string "soon"/],
      [LIFECYCLE, [1, 2 ** 31, 'vm-1', 0, 0, 100, null], /row 2, column vcenter_id \(int\) cannot hold number 2147483648/],
      [LIFECYCLE, [1, 1.5, 'vm-1', 0, 0, 100, null], /column vcenter_id \(int\) cannot hold number 1\.5/],
      [LIFECYCLE, [1, 1, 42, 0, 0, 100, null], /column vm_id \(text\) cannot hold number 42/],
      [LIFECYCLE, [1, 1, 'vm\0-1', 0, 0, 100, null], /column vm_id \(text\) cannot hold string "vm\\u0000-1"/],
      [LIFECYCLE, [1, 1, 'vm-1', 0, 0, 2 ** 53, null], /column first_seen \(bigint\) cannot hold number 9007199254740992/],
      [LIFECYCLE, [1, 1, 'vm-1', 0, 0], /row 2 has 5 values for 7 columns/],
      [[{ name: 'name', type: 'text' }], [true], /column name \(text\) cannot hold boolean true/],
    ];
    for (const [columns, bad, message] of cases) {
      const good = columns === LIFECYCLE ? [9, 1, 'vm-9', 0, 0, 100, null] : ['vc9'];
      const table = columns === LIFECYCLE ? 'vm_lifecycle' : 'vcenters';
      const { error } = await failsFast(store.insertRows(table, columns, [good, bad]));
      assert.equal(error.code, 'internal', error.message);
      assert.match(error.message, new RegExp(`^insert into ${table}: `));
      assert.match(error.message, message);
      assert.match(error.message, /nothing was written/);
    }
    assert.equal(await count(store, 'vm_lifecycle'), 0);
    await assertStillServes();
  });

  it('refuses NaN and Infinity in a float column', async () => {
    const columns: BulkColumn[] = [
      { name: 'vcenter_id', type: 'int' },
      { name: 'kind', type: 'text' },
      { name: 'snapshot_time', type: 'bigint' },
      { name: 'vm_count', type: 'int' },
      { name: 'chargeable_vm_count', type: 'float' },
    ];
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const { error } = await failsFast(store.insertRows('vcenter_aggregate_totals', columns, [[1, 'hourly', 100, 1, value]]));
      assert.match(error.message, /column chargeable_vm_count \(float\) cannot hold number (NaN|Infinity)/);
    }
  });

  it('round-trips text with tabs, newlines, backslashes, \\N and non-ASCII, and extreme numbers', async () => {
    const texts = ['a\tb', 'line1\nline2\r\n', 'back\\slash', '\\N', '', 'Zürich — 東京 🚀', ' ', 'tab\t\\t'];
    await store.insertRows('vcenters', NAME, texts.map((t) => [t]));
    const stored = await store.all<{ name: string }>(sql`SELECT name FROM vcenters WHERE name NOT IN ('vc1', 'vc2')`);
    assert.deepEqual(stored.map((r) => r.name).sort(), [...texts].sort());
    await store.insertRows('vm_lifecycle', LIFECYCLE, [[2_147_483_647, -2_147_483_648, 'x', Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0, null]]);
    const [row] = await store.all<Record<string, number>>(sql`SELECT id, vcenter_id, creation_time, deletion_time, last_seen FROM vm_lifecycle`);
    assert.deepEqual(
      [row!.id, row!.vcenter_id, row!.creation_time, row!.deletion_time, row!.last_seen],
      [2_147_483_647, -2_147_483_648, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null],
    );
  });

  it('a table another session holds locked: lock_timeout (here 500 ms, from the URL) ends the wait with a named error', async () => {
    const url = new URL(db.settings.database_url);
    url.searchParams.set('lock_timeout', '500');
    const short = await openStore({ database_driver: 'postgres', database_url: url.toString() });
    const admin = postgres(db.settings.database_url, { max: 1, onnotice: () => {} });
    let release: () => void = () => undefined;
    const held = admin.begin(async (tx) => {
      await tx`LOCK TABLE vcenters IN ACCESS EXCLUSIVE MODE`;
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { error, ms } = await failsFast(short.insertRows('vcenters', NAME, [['vc5']]));
      assert.equal(error.code, 'database');
      assert.match(error.message, /a lock stayed held by another session past vctp's lock_timeout: .*SQLSTATE 55P03/);
      assert.ok(ms < 3_000, `${ms} ms`);
    } finally {
      release();
      await held;
      await admin.end();
      await short.close();
    }
    await assertStillServes();
  });
});
