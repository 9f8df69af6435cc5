// Read-only commands never create or migrate a database, and no command takes over a database that
// is not vctp's or that a newer vctp migrated (built binary, SQLite files).
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runVctp } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-readonly-'));
let counter = 0;

function settingsFor(database: string): string {
  const path = join(dir, `vctp-${counter++}.yml`);
  writeFileSync(path, `settings:\n  database_url: ${JSON.stringify(database)}\n  reports_dir: ${JSON.stringify(join(dir, 'reports'))}\n`, { mode: 0o600 });
  return path;
}

/** Another application's SQLite file: one table, rollback journal. */
function foreignDatabase(): string {
  const path = join(dir, `other-${counter++}.sqlite3`);
  const db = new Database(path);
  db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices (amount) VALUES (12.5)');
  db.close();
  return path;
}

function facts(path: string): { tables: string[]; journal: unknown } {
  const db = new Database(path, { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    return { tables, journal: db.pragma('journal_mode', { simple: true }) };
  } finally {
    db.close();
  }
}

describe('read-only commands and databases that are not vctp\'s (built binary)', () => {
  it('status, totals and trace on a database_url naming no file: exit 4, and nothing is created', async () => {
    const missing = join(dir, 'typo', 'vctp.sqlite3');
    const settings = settingsFor(missing);
    for (const args of [['status'], ['totals'], ['trace', 'vm-1']]) {
      const result = await runVctp(['-s', settings, ...args]);
      assert.equal(result.code, 4, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /settings\.database_url: the SQLite database .*typo\/vctp\.sqlite3 does not exist yet/);
    }
    assert.equal(existsSync(join(dir, 'typo')), false, 'no directory, no file');
  });

  it('another application\'s SQLite file is neither read as nor turned into a vctp database; --adopt takes it over', async () => {
    const other = foreignDatabase();
    const settings = settingsFor(other);
    const before = facts(other);
    const status = await runVctp(['-s', settings, 'status']);
    assert.equal(status.code, 4, status.stderr);
    assert.match(status.stderr, /is not a vctp database \(no migrations table\): check settings\.database_url/);
    const migrate = await runVctp(['-s', settings, 'db', 'migrate']);
    assert.equal(migrate.code, 4, migrate.stderr);
    assert.match(migrate.stderr, /holds 1 table but no vctp migrations table: it is not a vctp database .*vctp db migrate --adopt/);
    const aggregate = await runVctp(['-s', settings, 'aggregate', 'daily', '--date', '2026-04-21']);
    assert.equal(aggregate.code, 4, aggregate.stderr);
    assert.deepEqual(facts(other), before, 'no table added, journal mode unchanged');

    const adopted = await runVctp(['-s', settings, 'db', 'migrate', '--adopt']);
    assert.equal(adopted.code, 0, adopted.stderr);
    const after = await runVctp(['-s', settings, 'status', '--json']);
    assert.equal(after.code, 0, after.stderr);
    assert.ok(facts(other).tables.includes('invoices'), 'its own table is kept');
  });

  it('a database a newer vctp migrated is refused for reading and for migrating', async () => {
    const path = join(dir, 'newer.sqlite3');
    const settings = settingsFor(path);
    assert.equal((await runVctp(['-s', settings, 'db', 'migrate'])).code, 0);
    const db = new Database(path);
    db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-a-newer-vctp', 9_999_999_999_999);
    db.close();
    for (const args of [['status'], ['db', 'migrate']]) {
      const result = await runVctp(['-s', settings, ...args]);
      assert.equal(result.code, 4, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /was migrated by a newer vctp than this one: upgrade vctp/);
    }
  });
});
