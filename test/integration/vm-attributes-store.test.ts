// Attribute sets through the capture path on both databases, without a vCenter: one dictionary row
// per distinct set (any characters, through PostgreSQL's COPY text format too), spans kept while a
// VM's set is unchanged or a source was not read, a new span exactly when it changes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { VmRecord } from '../../src/core/inventory.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { parseAttributeSet } from '../../src/core/vm-attributes.js';
import { captureInventory, type CaptureSettings } from '../../src/jobs/capture-inventory.js';
import type { Store } from '../../src/store/executor.js';
import { vm as buildVm } from '../helpers/builders.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const SETTINGS: CaptureSettings = { tier_patterns: DEFAULT_TIER_PATTERNS, tenants_to_filter: [], node_charge_clusters: [], srm_activeactive_vms: [] };
const H = 3600;
const T0 = 1_776_729_600; // 2026-04-21T00:00:00Z
// Everything COPY's text format and JSON must escape, and more.
const AWKWARD = 'a\\b "q"\ttab\nline\r é 日本 \u0001 {"x":1}';

const custom = (entries: Record<string, string>) => new Map(Object.entries(entries));
const tags = (entries: Record<string, string[]>) => new Map(Object.entries(entries));
const vm = (vmId: string, over: Partial<VmRecord>): VmRecord => buildVm(vmId, { creationTime: T0 - 86_400, ...over });

interface SpanRow {
  vm_id: string;
  first_seen: number;
  last_seen: number | null;
  attributes_id: number;
  attributes: string | null;
}

async function spans(store: Store): Promise<SpanRow[]> {
  const rows = await store.all<SpanRow>(sql`
    SELECT l.vm_id, s.first_seen, s.last_seen, s.attributes_id, a.attributes
    FROM vm_spans s JOIN vm_lifecycle l ON l.id = s.lifecycle_id LEFT JOIN vm_attribute_sets a ON a.id = s.attributes_id
    ORDER BY l.vm_id, s.first_seen`);
  return rows.map((r) => ({ ...r, first_seen: Number(r.first_seen), last_seen: r.last_seen === null ? null : Number(r.last_seen), attributes_id: Number(r.attributes_id) }));
}

for (const engine of ENGINES) {
  describe(`attribute sets in capture (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('stores each distinct set once, shared by VMs, and none for a VM without any', async () => {
      await captureInventory(testContext(store), SETTINGS, {
        vcenter: 'vc1',
        snapshotTime: T0,
        records: [
          vm('vm-1', { customAttributes: custom({ Tenant: AWKWARD }), tags: tags({ Env: ['prod', 'dr'] }) }),
          vm('vm-2', { customAttributes: custom({ Tenant: AWKWARD }), tags: tags({ Env: ['dr', 'prod', 'dr'] }) }),
          vm('vm-3', { customAttributes: custom({}), tags: tags({}) }),
          vm('vm-4', { customAttributes: custom({ Tenant: '' }), tags: tags({ CostCentre: ['CC-1'] }) }),
          vm('vm-5', {}), // a record that says nothing about attributes: none, as a new VM
        ],
      });
      const rows = await spans(store);
      const byVm = new Map(rows.map((r) => [r.vm_id, r]));
      assert.equal(byVm.get('vm-1')!.attributes_id, byVm.get('vm-2')!.attributes_id);
      assert.deepEqual(Object.fromEntries(parseAttributeSet(byVm.get('vm-1')!.attributes!)), { 'custom_attribute:Tenant': AWKWARD, 'tag:Env': 'dr, prod' });
      assert.equal(byVm.get('vm-3')!.attributes_id, 0);
      assert.equal(byVm.get('vm-5')!.attributes_id, 0);
      assert.deepEqual(Object.fromEntries(parseAttributeSet(byVm.get('vm-4')!.attributes!)), { 'tag:CostCentre': 'CC-1' });
      const sets = await store.all<{ attributes: string }>(sql`SELECT attributes FROM vm_attribute_sets ORDER BY id`);
      assert.equal(sets.length, 2);
    });

    it('keeps spans when nothing changed or a source was not read, and opens one exactly on a change', async () => {
      await captureInventory(testContext(store), SETTINGS, {
        vcenter: 'vc1',
        snapshotTime: T0 + H,
        records: [
          // Tags not read: carried; the custom attribute changed: a new span.
          vm('vm-1', { customAttributes: custom({ Tenant: 'globex' }), tags: null }),
          // Nothing read at all: unchanged.
          vm('vm-2', { customAttributes: null, tags: null }),
          // Read again, the same: unchanged.
          vm('vm-3', { customAttributes: custom({}), tags: tags({}) }),
          // Custom attributes not read, tags the same: unchanged.
          vm('vm-4', { customAttributes: null, tags: tags({ CostCentre: ['CC-1'] }) }),
          // A VM that had none gets a tag: a new span, with the set vm-4 already has.
          vm('vm-5', { customAttributes: custom({}), tags: tags({ CostCentre: ['CC-1'] }) }),
        ],
      });
      const rows = await spans(store);
      const opened = rows.filter((r) => r.first_seen === T0 + H).map((r) => r.vm_id);
      assert.deepEqual(opened, ['vm-1', 'vm-5']);
      const closed = rows.filter((r) => r.last_seen === T0).map((r) => r.vm_id);
      assert.deepEqual(closed, ['vm-1', 'vm-5']);
      const open = new Map(rows.filter((r) => r.last_seen === null).map((r) => [r.vm_id, r]));
      assert.deepEqual(Object.fromEntries(parseAttributeSet(open.get('vm-1')!.attributes!)), { 'custom_attribute:Tenant': 'globex', 'tag:Env': 'dr, prod' });
      // vm-5's new set equals vm-4's: the same row.
      assert.equal(open.get('vm-5')!.attributes_id, open.get('vm-4')!.attributes_id);
      const sets = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_attribute_sets`);
      assert.equal(Number(sets[0]!.n), 3);
    });

    it('a VM that goes and comes back starts from its record, not from the closed span', async () => {
      const ctx = testContext(store);
      await captureInventory(ctx, SETTINGS, { vcenter: 'vc1', snapshotTime: T0 + 2 * H, records: [vm('vm-3', { customAttributes: custom({}), tags: tags({}) })] });
      await captureInventory(ctx, SETTINGS, {
        vcenter: 'vc1',
        snapshotTime: T0 + 3 * H,
        records: [vm('vm-3', { customAttributes: custom({}), tags: tags({}) }), vm('vm-1', { customAttributes: custom({ Tenant: 'globex' }), tags: null })],
      });
      const back = (await spans(store)).find((r) => r.vm_id === 'vm-1' && r.first_seen === T0 + 3 * H)!;
      // Tags not read for a VM with no open span: nothing to carry, so none.
      assert.deepEqual(Object.fromEntries(parseAttributeSet(back.attributes!)), { 'custom_attribute:Tenant': 'globex' });
    });
  });
}
