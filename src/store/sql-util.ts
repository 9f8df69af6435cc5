// Small helpers shared by the repositories.
import { sql, type SQL } from 'drizzle-orm';
import type { SqlExecutor } from './executor.js';

/** Splits a list so that IN (...) lists stay well under every driver's parameter limit. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function inList(values: readonly (number | string)[]): SQL {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
}

/** db.allArrays where the executor has it, else all() with each row's values (select-list order). */
export async function allArrays<T extends unknown[]>(db: SqlExecutor, query: SQL): Promise<T[]> {
  if (db.allArrays) return db.allArrays<T>(query);
  return (await db.all<Record<string, unknown>>(query)).map((row) => Object.values(row) as T);
}

/** SQLite and PostgreSQL both answer COUNT/SUM/MAX as numbers here (see postgres-store.ts types). */
export function num(value: unknown): number {
  return value == null ? 0 : Number(value);
}

export function flag(value: boolean): number {
  return value ? 1 : 0;
}
