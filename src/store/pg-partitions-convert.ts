// Turns an unpartitioned PostgreSQL database's vm_spans, snapshot_registry and
// vcenter_aggregate_totals into the monthly partitioned tables of pg-partitions.ts, when
// settings.postgres_vm_hourly_partitioning_enabled is true. It runs in the migration step (every
// job's first step, and `vctp db migrate`) under the migration lock, after drizzle's migrations, in
// one transaction: a failure leaves the database as it was.
//
// Per table: create the partitioned table (LIKE the old one: same columns in the same order,
// defaults, NOT NULLs, identity), its partitions for every month the rows use plus this month and
// the next, copy the rows, drop the old table, give the new one the old name, recreate the old
// table's indexes and constraints from PostgreSQL's own definitions (a primary key that does not
// contain the partition key becomes a plain index of the same columns), restore grants, set the
// identity sequence past the highest id, and recreate the views that read the tables
// (vm_hourly_stats) from their stored definitions. drizzle's bookkeeping (drizzle.__drizzle_migrations)
// is not touched: it records which migration files ran, not the tables' shape.
//
// Later migrations: ALTER TABLE ... ADD/DROP COLUMN, CREATE INDEX (not CONCURRENTLY) and DROP INDEX
// apply to a partitioned table and reach every partition, so the usual drizzle-kit output works on
// both shapes. What does not: a primary key or unique index on vm_spans (no unique index is possible
// on a table partitioned by an expression), one on snapshot_registry or vcenter_aggregate_totals
// without kind and snapshot_time, and dropping the constraint vm_spans_pkey or snapshot_registry_pkey
// (they do not exist here). Such a migration must be written for both shapes (IF EXISTS, or a
// DO block testing pg_class.relkind) and tested with partitioning on (test/integration/pg-partitions*.test.ts).
//
// Turning the setting off again is refused (assertPartitioningSetting): converting back would
// need the whole history copied again and the primary keys restored; a database once partitioned
// stays so, and the error names the setting.
import { sql } from 'drizzle-orm';
import { VctpError } from '../core/errors.js';
import type { SqlExecutor } from './executor.js';
import {
  ensureMonthPartitions,
  ensurePartitionsAhead,
  OPEN_SPAN_KEY,
  OPEN_SPANS_PARTITION,
  PARTITIONED_TABLES,
  partitionedTables,
  timeRangeInUse,
} from './pg-partitions.js';

const SETTING = 'settings.postgres_vm_hourly_partitioning_enabled';

/** The partition-key columns a unique index must contain, per table (vm_spans: none can). */
const UNIQUE_NEEDS: Record<string, readonly string[] | null> = {
  vm_spans: null,
  snapshot_registry: ['kind', 'snapshot_time'],
  vcenter_aggregate_totals: ['kind', 'snapshot_time'],
};

export interface ConversionReport {
  converted: boolean;
  tables: { table: string; rows: number }[];
  ms: number;
}

/**
 * Applies the setting to the database: converts it when the setting is on and the tables are not
 * yet partitioned; refuses when it is off and they are. `enabled` undefined (a caller that has no
 * settings, such as a test helper) changes nothing.
 */
export async function applyPartitioningSetting(store: SqlExecutor, enabled: boolean | undefined, nowSeconds: number): Promise<ConversionReport> {
  const none: ConversionReport = { converted: false, tables: [], ms: 0 };
  if (store.dialect !== 'postgres' || enabled === undefined) return none;
  const partitioned = await partitionedTables(store);
  if (!enabled) {
    if (partitioned.size > 0) {
      throw new VctpError(
        'config',
        `${SETTING}: is false, but this database's ${[...partitioned].sort().join(', ')} are partitioned by month ` +
          '(the setting was on before); set it back to true. Converting back to unpartitioned tables is not supported',
      );
    }
    return none;
  }
  const report = partitioned.size === PARTITIONED_TABLES.length ? none : await convertToPartitioned(store, nowSeconds);
  return report;
}

/** Converts every table not yet partitioned, in one transaction (see the module comment). */
export async function convertToPartitioned(store: SqlExecutor, nowSeconds: number): Promise<ConversionReport> {
  const started = performance.now();
  const tables = await store.transaction(async (tx) => {
    // The copy takes as long as the history is big; the session's statement_timeout bounds each
    // statement, lock_timeout stays (a job holding these tables makes this fail, not hang).
    await tx.run(sql`SET LOCAL statement_timeout = 0`);
    await tx.run(sql`SET LOCAL maintenance_work_mem = '256MB'`);
    const already = await partitionedTables(tx);
    const todo = PARTITIONED_TABLES.filter((t) => !already.has(t.table));
    // Nothing may write them meanwhile (the copy would miss it).
    await tx.run(sql.raw(`LOCK TABLE ${todo.map((t) => `"${t.table}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`));
    const range = await timeRangeInUse(tx);
    const views = await dependentViews(tx, todo.map((t) => t.table));
    for (const v of views) await tx.run(sql.raw(`DROP VIEW "${v.name}"`));

    const saved = new Map<string, SavedTable>();
    for (const t of todo) {
      saved.set(t.table, await saveTable(tx, t.table));
      await createPartitionedTable(tx, t.table);
    }
    // Partitions for every month in use, and the months ahead (the new tables are not yet under
    // their names: ensureMonthPartitions works on names, so it runs after the swap).
    const counts: { table: string; rows: number }[] = [];
    for (const t of todo) {
      const s = saved.get(t.table)!;
      await tx.run(sql.raw(`ALTER TABLE "${t.table}" RENAME TO "${s.oldName}"`));
      await tx.run(sql.raw(`ALTER TABLE "${s.newName}" RENAME TO "${t.table}"`));
    }
    if (range !== null) await ensureMonthPartitions(tx, range.min, range.max);
    await ensurePartitionsAhead(tx, nowSeconds);
    for (const t of todo) {
      const s = saved.get(t.table)!;
      const rows = await tx.run(sql.raw(`INSERT INTO "${t.table}" OVERRIDING SYSTEM VALUE SELECT * FROM "${s.oldName}"`));
      counts.push({ table: t.table, rows });
      await tx.run(sql.raw(`DROP TABLE "${s.oldName}"`));
      await restoreTable(tx, t.table, s);
    }
    for (const v of views) {
      await tx.run(sql.raw(`CREATE VIEW "${v.name}" AS ${v.definition}`));
      for (const g of v.grants) await tx.run(sql.raw(grantSql(g, v.name)));
    }
    return counts;
  });
  return { converted: true, tables, ms: performance.now() - started };
}

interface Grant {
  grantee: string;
  privilege: string;
}

interface SavedTable {
  oldName: string;
  newName: string;
  indexes: { name: string; definition: string; constraint: string | null; constraintDef: string | null; primary: boolean; unique: boolean; columns: string[] }[];
  grants: Grant[];
  owner: string;
  identity: { column: string; sequence: string } | null;
}

/** What the old table has that LIKE does not copy: indexes, constraints, grants, the identity sequence's name. */
async function saveTable(tx: SqlExecutor, table: string): Promise<SavedTable> {
  const indexes = await tx.all<{
    name: string;
    definition: string;
    constraint: string | null;
    constraint_def: string | null;
    primary: boolean;
    unique: boolean;
    columns: string[];
  }>(sql`
    SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, con.conname AS constraint,
           pg_get_constraintdef(con.oid) AS constraint_def, i.indisprimary AS primary, i.indisunique AS unique,
           ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) AS columns
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
    WHERE i.indrelid = ${table}::regclass
    ORDER BY ic.relname`);
  const identity = await tx.all<{ column: string; sequence: string | null }>(sql`
    SELECT a.attname AS column, pg_get_serial_sequence(${`"${table}"`}, a.attname) AS sequence
    FROM pg_attribute a WHERE a.attrelid = ${table}::regclass AND a.attidentity <> '' AND NOT a.attisdropped`);
  const owner = await tx.all<{ owner: string }>(sql`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = ${table}::regclass`);
  return {
    oldName: `${table}_unpartitioned`,
    newName: `${table}_partitioned`,
    indexes: indexes.map((x) => ({
      name: x.name,
      definition: x.definition,
      constraint: x.constraint,
      constraintDef: x.constraint_def,
      primary: x.primary,
      unique: x.unique,
      columns: x.columns,
    })),
    grants: await tableGrants(tx, table),
    owner: owner[0]?.owner ?? '',
    identity: identity[0]?.sequence ? { column: identity[0].column, sequence: identity[0].sequence } : null,
  };
}

async function tableGrants(tx: SqlExecutor, relation: string): Promise<Grant[]> {
  const rows = await tx.all<{ grantee: string; privilege: string }>(sql`
    SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee, a.privilege_type AS privilege
    FROM pg_class c, aclexplode(c.relacl) a
    WHERE c.oid = ${relation}::regclass AND a.grantee <> c.relowner`);
  return rows;
}

function grantSql(g: Grant, relation: string): string {
  return `GRANT ${g.privilege} ON "${relation}" TO ${g.grantee}`;
}

/** The new, empty partitioned table with its fixed partitions (the LIST ones, the open spans'). */
async function createPartitionedTable(tx: SqlExecutor, table: string): Promise<void> {
  const like = `(LIKE "${table}" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)`;
  const name = `${table}_partitioned`;
  if (table === 'vm_spans') {
    await tx.run(sql.raw(`CREATE TABLE "${name}" ${like} PARTITION BY RANGE ((COALESCE(last_seen, ${OPEN_SPAN_KEY})))`));
    await tx.run(sql.raw(`CREATE TABLE "${OPEN_SPANS_PARTITION}" PARTITION OF "${name}" FOR VALUES FROM (${OPEN_SPAN_KEY}) TO (MAXVALUE)`));
    return;
  }
  await tx.run(sql.raw(`CREATE TABLE "${name}" ${like} PARTITION BY LIST (kind)`));
  await tx.run(sql.raw(`CREATE TABLE "${table}_hourly" PARTITION OF "${name}" FOR VALUES IN ('hourly') PARTITION BY RANGE (snapshot_time)`));
  await tx.run(sql.raw(`CREATE TABLE "${table}_summaries" PARTITION OF "${name}" FOR VALUES IN ('daily', 'monthly')`));
}

/** Indexes, constraints, grants and the identity sequence of the old table, on the new one. */
async function restoreTable(tx: SqlExecutor, table: string, s: SavedTable): Promise<void> {
  const needs = UNIQUE_NEEDS[table];
  for (const x of s.indexes) {
    const coversKey = needs !== null && needs !== undefined && needs.every((c) => x.columns.includes(c));
    if (x.unique && !coversKey) {
      // No unique index can hold here (module comment): a plain index keeps the lookups it served.
      const plain = x.primary ? `${table}_${x.columns.join('_')}` : x.name;
      await tx.run(sql.raw(`CREATE INDEX "${plain}" ON "${table}" (${x.columns.map((c) => `"${c}"`).join(', ')})`));
    } else if (x.constraint !== null && x.constraintDef !== null) {
      await tx.run(sql.raw(`ALTER TABLE "${table}" ADD CONSTRAINT "${x.constraint}" ${x.constraintDef}`));
    } else {
      await tx.run(sql.raw(x.definition));
    }
  }
  if (s.owner !== '') await tx.run(sql.raw(`ALTER TABLE "${table}" OWNER TO "${s.owner.replace(/"/g, '""')}"`));
  for (const g of s.grants) await tx.run(sql.raw(grantSql(g, table)));
  if (s.identity !== null) {
    const seq = await tx.all<{ sequence: string }>(sql`SELECT pg_get_serial_sequence(${`"${table}"`}, ${s.identity.column}) AS sequence`);
    const current = seq[0]?.sequence;
    if (current) {
      // The old sequence went with the old table: the new one takes its name and continues after the highest id.
      const oldShort = s.identity.sequence.replace(/^.*\./, '').replace(/^"|"$/g, '');
      await tx.run(sql.raw(`ALTER SEQUENCE ${current} RENAME TO "${oldShort}"`));
      await tx.run(
        sql.raw(`SELECT setval(pg_get_serial_sequence('"${table}"', '${s.identity.column}'), COALESCE((SELECT MAX("${s.identity.column}") FROM "${table}"), 0) + 1, false)`),
      );
    }
  }
}

interface View {
  name: string;
  definition: string;
  grants: Grant[];
}

/** Views reading any of `tables`, with their definitions and grants (to drop and recreate them). */
async function dependentViews(tx: SqlExecutor, tables: readonly string[]): Promise<View[]> {
  const rows = await tx.all<{ name: string; definition: string }>(sql`
    SELECT DISTINCT v.relname AS name, pg_get_viewdef(v.oid) AS definition
    FROM pg_depend d
    JOIN pg_rewrite r ON r.oid = d.objid
    JOIN pg_class v ON v.oid = r.ev_class
    WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.refobjid IN (${sql.join(tables.map((t) => sql`${t}::regclass`), sql`, `)})
      AND v.oid <> d.refobjid AND v.relkind = 'v'
    ORDER BY v.relname`);
  const views: View[] = [];
  for (const r of rows) views.push({ name: r.name, definition: r.definition, grants: await tableGrants(tx, r.name) });
  return views;
}
