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

/**
 * Restarts each identity sequence just past the imported ids (1 for an empty table). With ALTER ...
 * RESTART, which PostgreSQL rolls back with the transaction: setval() would not be, and a failed
 * import would leave a sequence behind the ids still in the table (the next insert a duplicate key).
 */
export async function continueIdentities(tx: SqlExecutor): Promise<void> {
  for (const table of IMPORT_TABLES) {
    if (table.identity === null) continue;
    const t = ident(table.name);
    const c = ident(table.identity);
    const [row] = await tx.all<{ next: number; seq: string | null; isIdentity: string | null }>(
      sql.raw(
        `SELECT (SELECT COALESCE(MAX(${c}), 0) + 1 FROM ${t}) AS next, pg_get_serial_sequence('${t}', '${c}') AS seq, ` +
          `(SELECT is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${t}' AND column_name = '${c}') AS "isIdentity"`,
      ),
    );
    const next = Number(row?.next ?? 1);
    if (!Number.isSafeInteger(next)) throw new VctpError('internal', `import-sqlite: ${t}.${c}: next id ${String(row?.next)} is no integer`);
    // A column partitioning turned into a plain one (no identity, no sequence) needs nothing.
    if (row?.isIdentity === 'YES') await tx.run(sql.raw(`ALTER TABLE ${t} ALTER COLUMN ${c} RESTART WITH ${next}`));
    else if (row?.seq) await tx.run(sql.raw(`ALTER SEQUENCE ${row.seq} RESTART WITH ${next}`));
  }
}

/** Fresh planner statistics for the imported tables (what `vctp db cleanup` or autovacuum would gather later). */
export async function analyzeImportedTables(tx: SqlExecutor): Promise<void> {
  await tx.run(sql.raw(`ANALYZE ${IMPORT_TABLES.map((t) => ident(t.name)).join(', ')}`));
}
