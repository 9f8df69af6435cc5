// Which of the committed migrations (drizzle/<dialect>/meta/_journal.json) a database has applied,
// read without applying anything. drizzle's migrator records each applied migration in
// __drizzle_migrations (PostgreSQL: schema `drizzle`) with created_at = the journal entry's `when`,
// and applies every entry whose `when` is later than the newest recorded one: so those are pending.
import { sql } from 'drizzle-orm';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Dialect, SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

// Both src/store (tsx) and dist/store (built) sit two levels below the package root (as in migrate.ts).
const MIGRATIONS_ROOT = fileURLToPath(new URL('../../drizzle/', import.meta.url));

export interface JournalEntry {
  tag: string;
  when: number;
}

export interface MigrationStatus {
  /** The migrations this vctp ships, oldest first. */
  known: JournalEntry[];
  /** Whether the migrations table exists at all (false: the database was never migrated). */
  tracked: boolean;
  /** Rows in the migrations table. */
  applied: number;
  /** Shipped migrations the database has not applied, oldest first. */
  pending: string[];
  /** The database records a migration newer than any this vctp ships (a newer vctp migrated it). */
  newerThanThisVersion: boolean;
}

export async function readJournal(dialect: Dialect): Promise<JournalEntry[]> {
  const text = await readFile(`${MIGRATIONS_ROOT}${dialect}/meta/_journal.json`, 'utf8');
  const journal = JSON.parse(text) as { entries: { tag: string; when: number }[] };
  return journal.entries.map((e) => ({ tag: e.tag, when: e.when })).sort((a, b) => a.when - b.when);
}

export async function readMigrationStatus(db: SqlExecutor): Promise<MigrationStatus> {
  const known = await readJournal(db.dialect);
  const table = db.dialect === 'postgres' ? sql`drizzle.__drizzle_migrations` : sql`__drizzle_migrations`;
  const exists =
    db.dialect === 'postgres'
      ? await db.all<{ t: string | null }>(sql`SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`)
      : await db.all<{ t: string | null }>(sql`SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`);
  if (exists[0]?.t == null) return { known, tracked: false, applied: 0, pending: known.map((e) => e.tag), newerThanThisVersion: false };
  const rows = await db.all<{ n: unknown; latest: unknown }>(sql`SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM ${table}`);
  const latest = rows[0]?.latest == null ? null : Number(rows[0].latest);
  return {
    known,
    tracked: true,
    applied: num(rows[0]?.n),
    pending: known.filter((e) => latest === null || e.when > latest).map((e) => e.tag),
    newerThanThisVersion: latest !== null && known.every((e) => e.when < latest),
  };
}
