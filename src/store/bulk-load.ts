// Writes a synthetic fleet (src/core/synthetic-fleet.ts) into an empty database as capture would
// have stored it, as fast as each database allows: SQLite in one transaction through cached
// prepared statements; PostgreSQL by COPY FROM STDIN (default) or unnest() arrays, in one
// transaction. Also the scratch-database checks of `vctp benchmark aggregations --db`.
import { sql } from 'drizzle-orm';
import { VctpError } from '../core/errors.js';
import type { PeriodKind } from '../core/periods.js';
import type { SyntheticFleet } from '../core/synthetic-fleet.js';
import type { BulkColumn, Store } from './executor.js';
import { ensureMonthPartitions } from './pg-partitions.js';
import { PostgresStore } from './postgres-store.js';
import { flag, num } from './sql-util.js';
import { SUMMARY_TABLE } from './summary-repository.js';
import { encodeUuid } from './uuid-codec.js';


export interface TableLoad {
  table: string;
  rows: number;
  ms: number;
}

export interface BulkLoadReport {
  method: 'sqlite-prepared' | 'pg-copy' | 'pg-unnest';
  tables: TableLoad[];
  rows: number;
  /** From the first row written to the commit. */
  ms: number;
  rowsPerSecond: number;
  /** ANALYZE afterwards, as autovacuum or `vctp db cleanup` would have run on a real database. */
  analyzeMs: number;
}

interface TableRows {
  table: string;
  columns: BulkColumn[];
  rows: unknown[][];
}

const col = (name: string, type: BulkColumn['type']): BulkColumn => ({ name, type });

/** Seconds after a snapshot time that its capture committed (snapshot_registry.created_at). */
const CAPTURE_SECONDS = 20;

function fleetTables(fleet: SyntheticFleet, vcenterIds: readonly number[], dialect: Store['dialect'], rowCounts: number[][]): TableRows[] {
  const vc = (index: number): number => vcenterIds[index]!;
  const registry: unknown[][] = [];
  fleet.vcenters.forEach((_, v) =>
    fleet.snapshotTimes.forEach((t, k) => registry.push([vc(v), 'hourly', t, rowCounts[v]![k]!, 15_000, t + CAPTURE_SECONDS])),
  );
  return [
    {
      table: 'snapshot_registry',
      columns: [col('vcenter_id', 'int'), col('kind', 'text'), col('snapshot_time', 'bigint'), col('row_count', 'int'), col('duration_ms', 'int'), col('created_at', 'bigint')],
      rows: registry,
    },
    {
      table: 'vm_placements',
      columns: [col('id', 'int'), col('resource_pool', 'text'), col('tier', 'text'), col('datacenter', 'text'), col('cluster', 'text'), col('folder', 'text')],
      rows: fleet.placements.map((p) => [p.id, p.resourcePool, p.tier, p.datacenter, p.cluster, p.folder]),
    },
    {
      table: 'vm_lifecycle',
      columns: [
        col('id', 'int'),
        col('vcenter_id', 'int'),
        col('vm_id', 'text'),
        col('creation_time', 'bigint'),
        col('deletion_time', 'bigint'),
        col('first_seen', 'bigint'),
        col('last_seen', 'bigint'),
      ],
      rows: fleet.vms.map((m) => [m.id, vc(m.vcenter), m.vmId, m.creationTime, m.deletionTime, m.firstSeen, m.lastSeen]),
    },
    {
      table: 'vm_identities',
      columns: [col('id', 'int'), col('vm_uuid', 'text'), col('instance_uuid', 'text'), col('event_key', 'text'), col('cloud_id', 'text')],
      rows: fleet.vms.map((m) => [m.id, encodeUuid(dialect, m.vmUuid), encodeUuid(dialect, m.instanceUuid), m.eventKey, null]),
    },
    {
      table: 'vm_spans',
      columns: [
        col('id', 'int'),
        col('vcenter_id', 'int'),
        col('lifecycle_id', 'int'),
        col('first_seen', 'bigint'),
        col('last_seen', 'bigint'),
        col('name', 'text'),
        col('identity_id', 'int'),
        col('placement_id', 'int'),
        col('provisioned_disk_gb', 'float'),
        col('vcpu_count', 'int'),
        col('ram_gb', 'float'),
        col('is_template', 'int'),
        col('powered_on', 'int'),
        col('srm_placeholder', 'int'),
      ],
      rows: fleet.spans.map((s) => [
        s.id,
        vc(s.vcenter),
        s.lifecycleId,
        s.firstSeen,
        s.lastSeen,
        s.name,
        s.identityId,
        s.placementId,
        s.provisionedDiskGb,
        s.vcpuCount,
        s.ramGb,
        flag(s.isTemplate),
        flag(s.poweredOn),
        flag(s.srmPlaceholder),
      ]),
    },
  ];
}

/**
 * Loads the fleet into `store`, which must hold no vctp data (see assertScratchIsEmpty). Not
 * written: vcenter_latest_totals and the hourly rows of vcenter_aggregate_totals (`vctp backfill`
 * rebuilds them; aggregation does not read them) and job_runs.
 */
export async function loadSyntheticFleet(
  store: Store,
  fleet: SyntheticFleet,
  rowCounts: number[][],
): Promise<BulkLoadReport> {
  const started = performance.now();
  const tables: TableLoad[] = [];
  const timed = async (table: string, rows: number, fn: () => Promise<void>): Promise<void> => {
    const t0 = performance.now();
    await fn();
    tables.push({ table, rows, ms: performance.now() - t0 });
  };
  await store.transaction(async (tx) => {
    // A partitioned PostgreSQL database (pg-partitions.ts) needs the fleet's months first.
    await ensureMonthPartitions(tx, fleet.snapshotTimes[0]!, fleet.snapshotTimes.at(-1)!);
    await timed('vcenters', fleet.vcenters.length, () => tx.insertRows('vcenters', [col('name', 'text')], fleet.vcenters.map((n) => [n])));
    // vCenter ids come from the database (PostgreSQL's identity sequence must stay in step with them).
    const rows = await tx.all<{ id: number; name: string }>(sql`SELECT id, name FROM vcenters`);
    const byName = new Map(rows.map((r) => [r.name, num(r.id)]));
    for (const t of fleetTables(fleet, fleet.vcenters.map((name) => byName.get(name)!), store.dialect, rowCounts)) {
      await timed(t.table, t.rows.length, () => tx.insertRows(t.table, t.columns, t.rows));
    }
  });
  const ms = performance.now() - started;
  const rows = tables.reduce((sum, t) => sum + t.rows, 0);
  const t0 = performance.now();
  await store.run(sql`ANALYZE`);
  return {
    method: store.dialect === 'sqlite' ? 'sqlite-prepared' : 'pg-copy',
    tables,
    rows,
    ms,
    rowsPerSecond: rows / (ms / 1000),
    analyzeMs: performance.now() - t0,
  };
}


/** Tables in the database's main schema, without drizzle's migration bookkeeping. */
async function userTables(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'sqlite'
      ? await store.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      : await store.all<{ name: string }>(
          sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        );
  return rows.map((r) => r.name).filter((name) => name !== '__drizzle_migrations');
}

/**
 * Refuses a database that holds anything: a scratch database is either new (no tables) or vctp's
 * schema with no rows. `what` names the flag or setting it came from, for the error.
 */
export async function assertScratchIsEmpty(store: Store, what: string): Promise<void> {
  const tables = await userTables(store);
  if (tables.length === 0) return;
  if (!tables.includes('vcenters')) {
    throw new VctpError('usage', `${what}: the database is not empty and not a vctp database (tables ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}); give an empty one`);
  }
  const filled: string[] = [];
  for (const table of tables) {
    const rows = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${sql.identifier(table)} LIMIT 1) x`);
    if (num(rows[0]?.n) > 0) filled.push(table);
  }
  if (filled.length > 0) {
    throw new VctpError('usage', `${what}: the database is not empty (${filled.join(', ')} hold rows); a synthetic fleet needs an empty database`);
  }
}

/** Deletes every row of the schema's tables again (the database was empty before the benchmark). */
export async function emptyScratch(store: Store): Promise<void> {
  const tables = await userTables(store);
  if (tables.length === 0) return;
  if (store.dialect === 'postgres') {
    await store.run(sql.raw(`TRUNCATE ${tables.map((t) => `"${t.replace(/"/g, '""')}"`).join(', ')}`));
  } else {
    await store.transaction(async (tx) => {
      for (const table of tables) await tx.run(sql`DELETE FROM ${sql.identifier(table)}`);
    });
  }
}

/**
 * Removes every vCenter's summaries of one period, with their registry and totals rows: puts a
 * scratch database back as it was before a benchmark run aggregated the period.
 */
export async function removePeriodSummaries(store: Store, kind: PeriodKind, periodStart: number): Promise<void> {
  const { table, period } = SUMMARY_TABLE[kind];
  await store.transaction(async (tx) => {
    await tx.run(sql`DELETE FROM ${sql.identifier(table)} WHERE ${sql.identifier(period)} = ${periodStart}`);
    await tx.run(sql`DELETE FROM snapshot_registry WHERE kind = ${kind} AND snapshot_time = ${periodStart}`);
    await tx.run(sql`DELETE FROM vcenter_aggregate_totals WHERE kind = ${kind} AND snapshot_time = ${periodStart}`);
  });
}
