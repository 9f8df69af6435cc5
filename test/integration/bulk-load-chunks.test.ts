// The synthetic fleet loaded one vCenter at a time (loadSyntheticFleetChunks, what `vctp benchmark
// aggregations --synthetic` uses so that fleet-XL never sits in memory whole) writes exactly the
// rows the whole-fleet load writes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { fleetFrame, type FleetSpec, generateFleet, generateFleetChunks, presentCounts, REFERENCE_RATES } from '../../src/core/synthetic-fleet.js';
import { loadSyntheticFleet, loadSyntheticFleetChunks } from '../../src/store/bulk-load.js';
import type { Store } from '../../src/store/executor.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const SPEC: FleetSpec = { name: 'chunks', vcenters: 3, vmsPerVcenter: 120, start: Date.UTC(2026, 0, 1) / 1000, days: 3, snapshotSeconds: 3600, rates: REFERENCE_RATES, seed: 11 };
const TABLES = ['vcenters', 'snapshot_registry', 'vm_placements', 'vm_lifecycle', 'vm_identities', 'vm_spans'];

async function dump(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const order = table === 'snapshot_registry' ? sql.raw('vcenter_id, kind, snapshot_time') : sql.raw('id');
    // Numbers as text: PostgreSQL returns bigint columns as strings, the same either way here.
    const rows = await store.all<Record<string, unknown>>(sql`SELECT * FROM ${sql.identifier(table)} ORDER BY ${order}`);
    out[table] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v === null ? null : String(v)])));
  }
  return out;
}

for (const engine of ENGINES) {
  describe(`synthetic fleet loaded in chunks (${engine})`, () => {
    let whole: TestDatabase;
    let chunked: TestDatabase;
    before(async () => {
      [whole, chunked] = [await createTestDatabase(engine), await createTestDatabase(engine)];
    });
    after(async () => {
      await whole?.drop();
      await chunked?.drop();
    });

    it('writes the same rows as the whole fleet, and reports them per table', async () => {
      const fleet = generateFleet(SPEC);
      const a = await whole.open();
      const b = await chunked.open();
      try {
        const wholeReport = await loadSyntheticFleet(a, fleet, presentCounts(fleet));
        let chunks = 0;
        const chunkReport = await loadSyntheticFleetChunks(b, fleetFrame(SPEC), generateFleetChunks(SPEC), () => chunks++);
        assert.equal(chunks, SPEC.vcenters);
        assert.equal(chunkReport.rows, wholeReport.rows);
        assert.deepEqual(
          chunkReport.tables.map((t) => [t.table, t.rows]),
          wholeReport.tables.map((t) => [t.table, t.rows]),
        );
        const [x, y] = [await dump(a), await dump(b)];
        assert.equal(y.vm_spans!.length, fleet.spans.length);
        assert.deepEqual(y, x);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
