// Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database created on the
// server the test command made sure is running (VCTP_TEST_PG_URL, default the local trust-auth one).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { Store } from '../../src/store/executor.js';
import { openStore, type StoreSettings } from '../../src/store/open-store.js';

export const PG_ADMIN_URL = process.env.VCTP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: Engine[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  engine: Engine;
  settings: StoreSettings;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

let counter = 0;

/**
 * A database name no other test process can pick: test files run in parallel processes, and other
 * checkouts' suites (possibly in other pid namespaces, so with the same pids) share the server.
 * pid + time + counter alone can repeat across pid namespaces; the random part makes that moot.
 */
function databaseName(): string {
  return `vctp_t_${process.pid}_${Date.now().toString(36)}_${counter++}_${randomBytes(4).toString('hex')}`;
}

/**
 * `partitioned` (PostgreSQL): settings.postgres_vm_hourly_partitioning_enabled, so open() converts
 * the tables to monthly partitions (src/store/pg-partitions.ts).
 */
export async function createTestDatabase(engine: Engine, options: { partitioned?: boolean } = {}): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'vctp-test-'));
    const settings: StoreSettings = { database_driver: 'sqlite', database_url: join(dir, 'db.sqlite3') };
    return { engine, settings, open: () => openStore(settings), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = databaseName();
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const settings: StoreSettings = {
    database_driver: 'postgres',
    database_url: url.toString(),
    ...(options.partitioned ? { postgres_vm_hourly_partitioning_enabled: true } : {}),
  };
  return {
    engine,
    settings,
    open: () => openStore(settings),
    drop: async () => {
      const dropper = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Empties every data table, summaries included (keeps the schema): lets a property test reuse one database. */
export async function truncateAll(store: Store): Promise<void> {
  const tables = [
    'vcenters',
    'snapshot_registry',
    'vm_lifecycle',
    'vm_identities',
    'vm_placements',
    'vm_spans',
    'vcenter_latest_totals',
    'vcenter_aggregate_totals',
    'vm_daily_rollup',
    'vm_monthly_summary',
    'job_runs',
    'job_locks',
  ];
  if (store.dialect === 'postgres') await store.run(sql.raw(`TRUNCATE ${tables.join(', ')}`));
  else {
    await store.transaction(async (tx) => {
      for (const table of tables) await tx.run(sql.raw(`DELETE FROM ${table}`));
    });
  }
}
