// vCenters are stored by name (host[:port] of their SDK URL) and referred to by a small integer.
import { sql } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

export async function findVcenterId(db: SqlExecutor, name: string): Promise<number | null> {
  const rows = await db.all<{ id: number }>(sql`SELECT id FROM vcenters WHERE name = ${name}`);
  return rows[0] ? num(rows[0].id) : null;
}

export async function ensureVcenterId(db: SqlExecutor, name: string): Promise<number> {
  const existing = await findVcenterId(db, name);
  if (existing !== null) return existing;
  await db.run(sql`INSERT INTO vcenters (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING`);
  return (await findVcenterId(db, name))!;
}

export async function listVcenters(db: SqlExecutor): Promise<{ id: number; name: string }[]> {
  const rows = await db.all<{ id: number; name: string }>(sql`SELECT id, name FROM vcenters ORDER BY name`);
  return rows.map((r) => ({ id: num(r.id), name: r.name }));
}

/** The vCenter's latest hourly snapshot time, or null before its first one. */
export async function latestSnapshotTime(db: SqlExecutor, vcenterId: number): Promise<number | null> {
  const rows = await db.all<{ t: number | null }>(
    sql`SELECT MAX(snapshot_time) AS t FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = 'hourly'`,
  );
  return rows[0]?.t == null ? null : num(rows[0].t);
}

/** The vCenters (of `ids`) with an hourly snapshot or a daily summary in [start, end): those a period can summarise. */
export async function vcentersWithData(db: SqlExecutor, ids: readonly number[], start: number, end: number): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.all<{ id: number }>(sql`
    SELECT DISTINCT vcenter_id AS id FROM snapshot_registry
    WHERE kind IN ('hourly', 'daily') AND snapshot_time >= ${start} AND snapshot_time < ${end}
      AND vcenter_id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
  return new Set(rows.map((r) => num(r.id)));
}
