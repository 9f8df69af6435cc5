// settings.postgres_vm_hourly_partitioning_enabled through the built binary on a real PostgreSQL:
// `vctp db migrate` converts a database holding history (vm_hourly_stats unchanged), `vctp doctor`
// shows the partitions, `vctp retention` detaches and drops the old months (DETACH ... CONCURRENTLY
// on the command's own store), and turning the setting off is refused, naming it.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Store } from '../../src/store/executor.js';
import { openStore } from '../../src/store/open-store.js';
import { partitionedTables } from '../../src/store/pg-partitions.js';
import { runVctp } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { captureSeries, Fleet, H, hourlyView, hoursFrom, random, utc } from '../integration/maintenance-fleet.js';

interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

describe('vctp with postgres_vm_hourly_partitioning_enabled (built binary)', () => {
  let db: TestDatabase;
  let dir: string;
  const settingsFile = (enabled: boolean): string => {
    const path = join(dir, `vctp-${enabled}.yml`);
    writeFileSync(
      path,
      [
        'settings:',
        '  database_driver: postgres',
        `  database_url: ${db.settings.database_url}`,
        `  reports_dir: ${join(dir, 'reports')}`,
        '  log_output: json',
        `  postgres_vm_hourly_partitioning_enabled: ${enabled}`,
        '',
      ].join('\n'),
    );
    chmodSync(path, 0o600);
    return path;
  };
  const open = (): Promise<Store> => openStore({ database_driver: 'postgres', database_url: db.settings.database_url });
  const partitions = async (store: Store) =>
    (await store.all<{ name: string }>(sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ORDER BY 1`)).map((r) => r.name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-partitions-'));
    db = await createTestDatabase('postgres');
    const store = await db.open();
    try {
      await captureSeries(testContext(store, utc('2026-04-21T12:00:00Z') * 1000), 'vc1', new Fleet(random(5), 20), [
        ...hoursFrom(utc('2026-02-27T00:00:00Z'), 12, 12 * H),
        ...hoursFrom(utc('2026-04-29T00:00:00Z'), 8, 12 * H),
      ]);
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('db migrate converts the database; the hourly rows are unchanged; doctor lists the partitions', async () => {
    let store = await open();
    const view = await hourlyView(store);
    assert.ok(view.length > 0);
    await store.close();

    const migrate = await runVctp(['-s', settingsFile(true), 'db', 'migrate']);
    assert.equal(migrate.code, 0, migrate.stderr);
    store = await open();
    try {
      assert.equal((await partitionedTables(store)).size, 3);
      assert.deepEqual(await hourlyView(store), view);
      const names = await partitions(store);
      for (const month of ['202602', '202603', '202604', '202605']) assert.ok(names.includes(`vm_spans_p${month}`), month);
    } finally {
      await store.close();
    }
    const doctor = await runVctp(['-s', settingsFile(true), 'doctor', '--json', '--timeout', '10']);
    const check = (JSON.parse(doctor.stdout) as Check[]).find((c) => c.check === 'database: partitions');
    assert.equal(check?.status, 'ok', check?.detail);
    assert.match(check!.detail, /vm_spans: \d+ monthly partition\(s\) 2026-02\.\./);
  });

  it('retention drops the months before its cut whole', async () => {
    let store = await open();
    const counts = (await store.all<{ spans: number; registry: number }>(
      sql`SELECT (SELECT COUNT(*) FROM vm_spans) AS spans, (SELECT COUNT(*) FROM snapshot_registry WHERE kind = 'hourly') AS registry`,
    ))[0]!;
    await store.close();
    // The clock is past 2026-05 by far: with the default 60 days, all of that history is before the cut.
    const retention = await runVctp(['-s', settingsFile(true), 'retention', '--json']);
    assert.equal(retention.code, 0, retention.stderr);
    const result = JSON.parse(retention.stdout) as { removed: { spansDeleted: number; hourlySnapshots: number } };
    assert.equal(result.removed.spansDeleted, Number(counts.spans));
    assert.equal(result.removed.hourlySnapshots, Number(counts.registry));
    store = await open();
    try {
      const names = await partitions(store);
      for (const month of ['202602', '202603', '202604', '202605']) {
        assert.ok(!names.includes(`vm_spans_p${month}`) && !names.includes(`snapshot_registry_hourly_p${month}`), month);
      }
      const left = await store.all(sql`SELECT relname FROM pg_class WHERE relname ~ '_p2026(0[2-5])$'`);
      assert.equal(left.length, 0, 'the detached months are dropped, not left behind');
    } finally {
      await store.close();
    }
  });

  it('turning the setting off is refused, naming it; doctor fails its partitions check', async () => {
    const migrate = await runVctp(['-s', settingsFile(false), 'db', 'migrate']);
    assert.equal(migrate.code, 1);
    assert.match(migrate.stderr, /settings\.postgres_vm_hourly_partitioning_enabled: is false, but this database's .* are partitioned by month .*set it back to true/);
    const doctor = await runVctp(['-s', settingsFile(false), 'doctor', '--json', '--timeout', '10']);
    const check = (JSON.parse(doctor.stdout) as Check[]).find((c) => c.check === 'database: partitions');
    assert.equal(check?.status, 'fail');
  });
});
