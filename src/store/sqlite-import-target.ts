// The PostgreSQL side of `vctp import-sqlite`, each step run inside the import's one transaction
// (src/jobs/import-sqlite.ts): empty the imported tables, COPY the rows in (the bounded COPY of
// postgres-store.ts insertRows), continue the identity sequences past the imported ids, check.
import { sql } from 'drizzle-orm';
import { VctpError } from '../core/errors.js';
import type { SqlExecutor } from './executor.js';
import { ident, IMPORT_TABLES, type ImportTable } from './sqlite-import-tables.js';

/**
 * Empties every imported table. TRUNCATE is transactional in PostgreSQL: a rolled back import
 * leaves the previous rows. It takes each table's ACCESS EXCLUSIVE lock until the end of the
 * import, so readers (`vctp serve`) wait for the import rather than see half of it.
 */
export async function emptyImportedTables(tx: SqlExecutor): Promise<void> {
  if (tx.dialect !== 'postgres') throw new VctpError('internal', 'import-sqlite writes to PostgreSQL only');
  await tx.run(sql.raw(`TRUNCATE ${IMPORT_TABLES.map((t) => ident(t.name)).join(', ')}`));
}

/** Rows of `table`, in the table's column order, through the bounded COPY. */
export async function copyImportRows(tx: SqlExecutor, table: ImportTable, rows: readonly (readonly unknown[])[]): Promise<void> {
  await tx.insertRows(
    table.name,
    table.columns.map((c) => ({ name: c.name, type: c.type })),
    rows,
  );
}

/** Sets each identity sequence so that the next id is past the imported ones (1 for an empty table). */
export async function continueIdentities(tx: SqlExecutor): Promise<void> {
  for (const table of IMPORT_TABLES) {
    if (table.identity === null) continue;
    const t = ident(table.name);
    const c = ident(table.identity);
    await tx.all(sql.raw(`SELECT setval(pg_get_serial_sequence('${t}', '${c}'), COALESCE(MAX(${c}), 0) + 1, false) FROM ${t}`));
  }
}

/** Fresh planner statistics for the imported tables (what `vctp db cleanup` or autovacuum would gather later). */
export async function analyzeImportedTables(tx: SqlExecutor): Promise<void> {
  await tx.run(sql.raw(`ANALYZE ${IMPORT_TABLES.map((t) => ident(t.name)).join(', ')}`));
}
