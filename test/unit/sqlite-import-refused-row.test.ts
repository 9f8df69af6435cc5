// Which row of a refused COPY batch the server's detail names (src/store/sqlite-import-source.ts
// findRefusedRow): how `vctp import-sqlite` names the row PostgreSQL refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRow, findRefusedRow } from '../../src/store/sqlite-import-source.js';
import { IMPORT_TABLES } from '../../src/store/sqlite-import-tables.js';

const lifecycle = IMPORT_TABLES.find((t) => t.name === 'vm_lifecycle')!;
// id, vcenter_id, vm_id, creation_time, deletion_time, first_seen, last_seen
const rows = [
  [1, 1, 'vm-1', 0, 0, 100, null],
  [2, 1, 'vm-2, with a comma', 0, 0, 100, 200],
  [3, 2, 'vm-1', 0, 0, 100, null],
  [4, 1, 'vm-1', 0, 0, 300, null],
];
const refused = (detail: string) => new Error('wrapped', { cause: Object.assign(new Error('duplicate key'), { detail }) });

describe('import-sqlite: the refused row', () => {
  it('finds the row a unique violation names: the later of two with that key', () => {
    assert.equal(findRefusedRow(lifecycle, rows, refused('Key (vcenter_id, vm_id)=(1, vm-1) already exists.')), 3);
    assert.equal(findRefusedRow(lifecycle, rows, refused('Key (vcenter_id, vm_id)=(1, vm-2, with a comma) already exists.')), 1);
    assert.equal(describeRow(lifecycle, 101 + 3, rows[3]!), 'row 104 (id=4)');
  });

  it('finds the row "Failing row contains" shows, NULLs as null', () => {
    assert.equal(findRefusedRow(lifecycle, rows, refused('Failing row contains (3, 2, vm-1, 0, 0, 100, null).')), 2);
  });

  it('names none when the detail names no row, or no row matches', () => {
    assert.equal(findRefusedRow(lifecycle, rows, refused('Partition key of the failing row contains (COALESCE(last_seen, 9223372036854775807)) = (5).')), null);
    assert.equal(findRefusedRow(lifecycle, rows, refused('Key (vcenter_id, vm_id)=(9, vm-9) already exists.')), null);
    assert.equal(findRefusedRow(lifecycle, rows, new Error('no detail')), null);
  });
});
