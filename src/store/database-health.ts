// Read-only facts about the database for `vctp doctor`: whether vctp could write to it, what the
// server is, and its settings. Nothing here writes: SQLite is judged by file permissions,
// PostgreSQL by its privilege functions and recovery state.
import { sql } from 'drizzle-orm';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SqlExecutor } from './executor.js';

export interface SqliteWriteAccess {
  /** The file is writable by this process (a job needs it). */
  file: boolean;
  /** Its directory is writable by this process (SQLite creates -wal/-shm files there). */
  directory: boolean;
  /** Why not, for each that is not: EACCES, EROFS, ... */
  problems: string[];
  owner: { uid: number; gid: number; mode: string };
}

export async function sqliteWriteAccess(path: string): Promise<SqliteWriteAccess> {
  const info = await stat(path);
  const problems: string[] = [];
  const writable = async (target: string, what: string): Promise<boolean> => {
    try {
      await access(target, constants.W_OK);
      return true;
    } catch (error) {
      problems.push(`${what} ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return false;
    }
  };
  return {
    file: await writable(path, 'file'),
    directory: await writable(dirname(path), 'directory'),
    problems,
    owner: { uid: info.uid, gid: info.gid, mode: (info.mode & 0o7777).toString(8).padStart(4, '0') },
  };
}

export interface PostgresFacts {
  version: string;
  database: string;
  role: string;
  schema: string | null;
  /** A standby in recovery refuses every write. */
  inRecovery: boolean;
  /** The role may create tables in its schema (needed to apply migrations). */
  canCreate: boolean;
  /** vctp's tables (or sequences) the role may not INSERT/UPDATE/DELETE (or use). */
  notWritable: string[];
}

export async function postgresFacts(db: SqlExecutor): Promise<PostgresFacts> {
  const [facts] = await db.all<Record<string, unknown>>(sql`
    SELECT current_setting('server_version') AS version, current_database() AS database, current_user AS role,
           current_schema() AS schema, pg_is_in_recovery() AS in_recovery,
           COALESCE(has_schema_privilege(current_schema(), 'CREATE'), false) AS can_create`);
  const denied = await db.all<{ name: string }>(sql`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema()
      AND ((c.relkind IN ('r', 'p') AND NOT (has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'UPDATE')
                                              AND has_table_privilege(c.oid, 'DELETE')))
           OR (c.relkind = 'S' AND NOT has_sequence_privilege(c.oid, 'USAGE')))
    ORDER BY c.relname`);
  return {
    version: String(facts?.version ?? ''),
    database: String(facts?.database ?? ''),
    role: String(facts?.role ?? ''),
    schema: facts?.schema == null ? null : String(facts.schema),
    inRecovery: facts?.in_recovery === true,
    canCreate: facts?.can_create === true,
    notWritable: denied.map((d) => d.name),
  };
}

export interface PostgresSetting {
  name: string;
  /** pg_settings.setting: in `unit` (8kB pages, kB, ms, s, min), or on/off, or a plain number. */
  setting: string;
  unit: string | null;
}

export async function readPostgresSettings(db: SqlExecutor, names: readonly string[]): Promise<PostgresSetting[]> {
  if (names.length === 0) return [];
  const rows = await db.all<{ name: string; setting: string; unit: string | null }>(sql`
    SELECT name, setting, unit FROM pg_settings WHERE name IN (${sql.join(names.map((n) => sql`${n}`), sql`, `)})`);
  return rows.map((r) => ({ name: String(r.name), setting: String(r.setting), unit: r.unit == null || r.unit === '' ? null : String(r.unit) }));
}

export async function sqliteVersion(db: SqlExecutor): Promise<string | null> {
  const [row] = await db.all<{ v: string }>(sql`SELECT sqlite_version() AS v`);
  return row?.v ?? null;
}
