// The built `vctp import-sqlite FILE` (and its legacy alias -import-sqlite FILE): a vctp SQLite
// database copied into PostgreSQL, the verification table and --json, and refusals with their exit
// status that change nothing (a SQLite target, a file that is not SQLite, a missing file).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Store } from '../../src/store/executor.js';
import { IMPORT_TABLES } from '../../src/store/sqlite-import-tables.js';
import { runVctp } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seedReportFleet } from '../integration/report-fixture.js';

function settingsFile(dir: string, name: string, driver: string, url: string): string {
  const path = join(dir, name);
  writeFileSync(path, ['settings:', `  database_driver: ${driver}`, `  database_url: "${url}"`, '  log_output: json', ''].join('\n'));
  return path;
}

async function count(store: Store, table: string): Promise<number> {
  const [row] = await store.all<{ n: unknown }>(sql.raw(`SELECT COUNT(*) AS n FROM ${table}`));
  return Number(row?.n);
}

describe('vctp import-sqlite (built binary)', () => {
  let lite: TestDatabase;
  let pg: TestDatabase;
  let dir: string;
  let pgSettings: string;

  before(async () => {
    lite = await createTestDatabase('sqlite');
    const source = await lite.open();
    try {
      await seedReportFleet(source);
    } finally {
      await source.close();
    }
    pg = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-import-'));
    pgSettings = settingsFile(dir, 'pg.yml', 'postgres', pg.settings.database_url);
  });
  after(async () => {
    await lite?.drop();
    await pg?.drop();
  });

  it('copies the file and prints every table verified; --json says the same', async () => {
    const run = await runVctp(['-s', pgSettings, 'import-sqlite', lite.settings.database_url]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^imported .*db\.sqlite3 into postgres:\/\/vctp_test:\*\*\*@/m);
    for (const table of IMPORT_TABLES) assert.match(run.stdout, new RegExp(`${table.name}\\b.*\\b[0-9a-f]{16}\\b.*\\byes\\b`), table.name);
    assert.match(run.stdout, /rows in [\d.]+ s \([\d,]+ rows\/s\), one transaction/);

    // The legacy alias, as the original's scripts call it; a second import replaces the first.
    const json = await runVctp(['-settings', pgSettings, '-import-sqlite', lite.settings.database_url, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout) as { imported: boolean; tables: { table: string; sourceRows: number; targetRows: number; match: boolean }[] };
    assert.equal(result.imported, true);
    assert.equal(result.tables.length, IMPORT_TABLES.length);
    assert.ok(result.tables.every((t) => t.match && t.sourceRows === t.targetRows));

    const store = await pg.open();
    const source = await lite.open();
    try {
      for (const table of ['vm_spans', 'vm_daily_rollup', 'vm_monthly_summary', 'vcenters']) assert.equal(await count(store, table), await count(source, table), table);
    } finally {
      await store.close();
      await source.close();
    }
  });

  it('refuses with exit 1, changing nothing: a SQLite target, a file that is not SQLite, a missing file', async () => {
    const target = join(dir, 'target.sqlite3');
    const liteSettings = settingsFile(dir, 'lite.yml', 'sqlite', target);
    const toSqlite = await runVctp(['-s', liteSettings, 'import-sqlite', lite.settings.database_url]);
    assert.equal(toSqlite.code, 1);
    assert.match(toSqlite.stderr, /settings\.database_driver is sqlite .*copies a SQLite database into PostgreSQL/);
    assert.equal(existsSync(target), false, 'the SQLite target was not created');

    const store = await pg.open();
    try {
      const before = await count(store, 'job_runs');
      const notes = join(dir, 'notes.txt');
      writeFileSync(notes, 'not a database\n');
      const notSqlite = await runVctp(['-s', pgSettings, 'import-sqlite', notes]);
      assert.equal(notSqlite.code, 1);
      assert.match(notSqlite.stderr, /notes\.txt is not a SQLite database/);

      const missing = await runVctp(['-s', pgSettings, 'import-sqlite', join(dir, 'gone.sqlite3')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /gone\.sqlite3 does not exist/);
      // Refused before the run: nothing recorded, nothing changed.
      assert.equal(await count(store, 'job_runs'), before);
    } finally {
      await store.close();
    }
  });
});
