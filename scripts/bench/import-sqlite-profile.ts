// Where `vctp import-sqlite` spends its time on the source side: reading, checking and hashing
// every row of a file (no PostgreSQL). Usage: npx tsx scripts/bench/import-sqlite-profile.ts FILE
import { SqliteImportSource } from '../../src/store/sqlite-import-source.js';
import { IMPORT_TABLES } from '../../src/store/sqlite-import-tables.js';

const source = await SqliteImportSource.open(process.argv[2]!);
try {
  let rows = 0;
  const t0 = performance.now();
  for (const table of IMPORT_TABLES) {
    const t = performance.now();
    let n = 0;
    for (const batch of source.batches(table, 10_000)) n += batch.rows.length;
    rows += n;
    if (n > 0) console.log(`${table.name}: ${n} rows read, checked and hashed in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  }
  console.log(`${rows} rows in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
} finally {
  source.close();
}
