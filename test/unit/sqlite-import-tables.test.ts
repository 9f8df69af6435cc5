// What `vctp import-sqlite` copies (src/store/sqlite-import-tables.ts) is read from the PostgreSQL
// schema; the SQLite schema must carry the same tables with the same columns in the same order, or
// the import would read a file's columns into the wrong places.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as lite from '../../src/store/schema/sqlite.js';
import { IMPORT_TABLES } from '../../src/store/sqlite-import-tables.js';

const sqliteTables = new Map(
  (Object.values(lite) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTable)).map((t) => [getTableConfig(t).name, getTableConfig(t)]),
);

describe('import-sqlite table map', () => {
  it('imports every table of the schema but job_locks', () => {
    assert.deepEqual(IMPORT_TABLES.map((t) => t.name), [...sqliteTables.keys()].filter((n) => n !== 'job_locks').sort());
  });

  it('reads the same columns, in the same order, from the SQLite schema', () => {
    for (const table of IMPORT_TABLES) {
      const config = sqliteTables.get(table.name)!;
      assert.deepEqual(table.columns.map((c) => c.name), config.columns.map((c) => c.name), table.name);
      for (const column of table.columns) {
        const liteColumn = config.columns.find((c) => c.name === column.name)!;
        assert.equal(column.notNull, liteColumn.notNull, `${table.name}.${column.name} NOT NULL`);
        // Integers (flags, times, sums) are SQLite INTEGER; doubles REAL; text TEXT.
        const expected = { int: 'SQLiteInteger', bigint: 'SQLiteInteger', float: 'SQLiteReal', text: 'SQLiteText' }[column.type];
        assert.equal(liteColumn.columnType, expected, `${table.name}.${column.name}`);
      }
    }
  });

  it('names rows by their primary key and continues identity sequences', () => {
    const byName = new Map(IMPORT_TABLES.map((t) => [t.name, t]));
    assert.deepEqual(byName.get('vm_spans')!.key, ['id']);
    assert.deepEqual(byName.get('vm_daily_rollup')!.key, ['vcenter_id', 'day', 'lifecycle_id']);
    assert.equal(byName.get('vm_spans')!.identity, 'id');
    assert.equal(byName.get('vcenter_latest_totals')!.identity, null);
    assert.deepEqual(
      IMPORT_TABLES.flatMap((t) => t.columns.filter((c) => c.uuid).map((c) => `${t.name}.${c.name}`)),
      ['vm_identities.vm_uuid', 'vm_identities.instance_uuid'],
    );
  });
});
