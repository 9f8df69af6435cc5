// Writes a synthetic fleet (src/core/synthetic-fleet.ts) into an empty database as capture would
// have stored it, as fast as each database allows: SQLite in one transaction through cached
// prepared statements; PostgreSQL by COPY FROM STDIN (default) or unnest() arrays, in one
// transaction. A fleet is written chunk by chunk (one vCenter each, src/core/synthetic-fleet.ts
// generateFleetChunks), so nothing holds a whole month of a large fleet. Also the scratch-database checks of `vctp benchmark aggregations --db`.
import { sql } from 'drizzle-orm';
import { VctpError } from '../core/errors.js';
import type { PeriodKind } from '../core/periods.js';
import type { SyntheticFleet, SyntheticFleetChunk, SyntheticFleetFrame } from '../core/synthetic-fleet.js';
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
  /** From the first row written to the commit, without the time spent generating chunks. */
  ms: number;
  /** Time spent generating the chunks while loading (loadSyntheticFleetChunks; 0 for a fleet given whole). */
  generateMs: number;
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

type ChunkRows = Pick<SyntheticFleetChunk, 'placements' | 'vms' | 'spans'> & {
  /** vCenter indexes whose registry rows this chunk carries, with their present counts per snapshot. */
  registry: { vcenter: number; counts: number[] }[];
};

function chunkTables(frame: SyntheticFleetFrame, chunk: ChunkRows, vcenterIds: readonly number[], dialect: Store['dialect']): TableRows[] {
  const vc = (index: number): number => vcenterIds[index]!;
  const registry: unknown[][] = [];
  for (const { vcenter, counts } of chunk.registry) {
    frame.snapshotTimes.forEach((t, k) => registry.push([vc(vcenter), 'hourly', t, counts[k]!, 15_000, t + CAPTURE_SECONDS]));
  }
  return [
    {
      table: 'snapshot_registry',
      columns: [col('vcenter_id', 'int'), col('kind', 'text'), col('snapshot_time', 'bigint'), col('row_count', 'int'), col('duration_ms', 'int'), col('created_at', 'bigint')],
      rows: registry,
    },
    {
      table: 'vm_placements',
      columns: [col('id', 'int'), col('resource_pool', 'text'), col('tier', 'text'), col('datacenter', 'text'), col('cluster', 'text'), col('folder', 'text')],
      rows: chunk.placements.map((p) => [p.id, p.resourcePool, p.tier, p.datacenter, p.cluster, p.folder]),
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
      rows: chunk.vms.map((m) => [m.id, vc(m.vcenter), m.vmId, m.creationTime, m.deletionTime, m.firstSeen, m.lastSeen]),
    },
    {
      table: 'vm_identities',
      columns: [col('id', 'int'), col('vm_uuid', 'text'), col('instance_uuid', 'text'), col('event_key', 'text'), col('cloud_id', 'text')],
      rows: chunk.vms.map((m) => [m.id, encodeUuid(dialect, m.vmUuid), encodeUuid(dialect, m.instanceUuid), m.eventKey, null]),
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
      rows: chunk.spans.map((s) => [
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
  const whole: ChunkRows = {
    registry: fleet.vcenters.map((_, v) => ({ vcenter: v, counts: rowCounts[v]! })),
    placements: fleet.placements,
    vms: fleet.vms,
    spans: fleet.spans,
  };
  return loadChunks(store, fleet, [whole]);
}

/**
 * Loads a fleet chunk by chunk as `chunks` yields them (generateFleetChunks: one vCenter each),
 * into a store that holds no vctp data; one transaction, as loadSyntheticFleet. Each chunk is
 * dropped once written, so memory holds one vCenter's month, not the fleet's.
 */
export async function loadSyntheticFleetChunks(
  store: Store,
  frame: SyntheticFleetFrame,
  chunks: Iterable<SyntheticFleetChunk>,
  /** Called after each chunk is written (the generator's totals are kept by the caller). */
  onChunk?: (chunk: SyntheticFleetChunk) => void,
): Promise<BulkLoadReport> {
  function* rows(): Generator<ChunkRows> {
    for (const chunk of chunks) {
      yield { registry: [{ vcenter: chunk.vcenter, counts: chunk.counts }], placements: chunk.placements, vms: chunk.vms, spans: chunk.spans };
      onChunk?.(chunk);
    }
  }
  return loadChunks(store, frame, rows());
}

async function loadChunks(store: Store, frame: SyntheticFleetFrame, chunks: Iterable<ChunkRows>): Promise<BulkLoadReport> {
  const started = performance.now();
  let generateMs = 0;
  // Per table, summed over the chunks, in the order the tables were first written.
  const tables: TableLoad[] = [];
  const timed = async (table: string, rows: number, fn: () => Promise<void>): Promise<void> => {
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    const entry = tables.find((t) => t.table === table);
    if (entry) {
      entry.rows += rows;
      entry.ms += ms;
    } else tables.push({ table, rows, ms });
  };
  await store.transaction(async (tx) => {
    // A partitioned PostgreSQL database (pg-partitions.ts) needs the fleet's months first.
    await ensureMonthPartitions(tx, frame.snapshotTimes[0]!, frame.snapshotTimes.at(-1)!);
    await timed('vcenters', frame.vcenters.length, () => tx.insertRows('vcenters', [col('name', 'text')], frame.vcenters.map((n) => [n])));
    // vCenter ids come from the database (PostgreSQL's identity sequence must stay in step with them).
    const rows = await tx.all<{ id: number; name: string }>(sql`SELECT id, name FROM vcenters`);
    const byName = new Map(rows.map((r) => [r.name, num(r.id)]));
    const vcenterIds = frame.vcenters.map((name) => byName.get(name)!);
    const iterator = chunks[Symbol.iterator]();
    for (;;) {
      const t0 = performance.now();
      const next = iterator.next();
      generateMs += performance.now() - t0;
      if (next.done) break;
      for (const t of chunkTables(frame, next.value, vcenterIds, store.dialect)) {
        if (t.rows.length > 0) await timed(t.table, t.rows.length, () => tx.insertRows(t.table, t.columns, t.rows));
      }
    }
  });
  const ms = performance.now() - started - generateMs;
  const rows = tables.reduce((sum, t) => sum + t.rows, 0);
  const t0 = performance.now();
  await store.run(sql`ANALYZE`);
  return {
    method: store.dialect === 'sqlite' ? 'sqlite-prepared' : 'pg-copy',
    tables,
    rows,
    ms,
    generateMs,
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
