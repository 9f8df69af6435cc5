// `vctp allocation` and `vctp explain` on both databases, against hand-computed costs. Two vCenters
// captured every 6 hours from 2026-03-01 to 2026-04-21 06:00 (124 snapshots in March); "now" is
// 2026-04-21 12:00. One rate card (EUR per month): gold vCPU 20, RAM 5/GiB, disk 0.10/GiB, VM 2;
// silver 14, 3.5, 0.08, 0; templates 1. A cost dimension tenant from custom attribute Tenant.
//
// vc1: web (gold, 2 vCPU, 8 GiB, 100 GiB, tenant acme) all along; db (4 vCPU, 16 GiB, 200 GiB) in
// gold with tenant acme until 2026-03-16, then silver with tenant beta (it moved tier and tenant);
// tmpl, a template in no pool and no tenant; new (gold, 1 vCPU, 2 GiB, 10 GiB, no tenant) from
// 2026-03-21. vc2: other (silver, 2 vCPU, 4 GiB, 50 GiB, tenant acme).
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { after, before, describe, it } from 'node:test';
import type { VmRecord } from '../../src/core/inventory.js';
import { VctpError } from '../../src/core/errors.js';
import { monthPeriod } from '../../src/core/periods.js';
import type { RateCardSetting } from '../../src/core/rate-cards.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import { captureInventory } from '../../src/jobs/capture-inventory.js';
import { runMonthClose } from '../../src/jobs/month-close.js';
import { readAllocation, type AllocationResult } from '../../src/queries/allocation.js';
import { explainVmPeriod } from '../../src/queries/explain.js';
import type { Store } from '../../src/store/executor.js';
import { findVcenterId } from '../../src/store/vcenter-repository.js';
import { vm as buildVm } from '../helpers/builders.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { serverForTest } from '../helpers/server.js';

const H = 3600;
const DAY = 86_400;
const day = (text: string) => Date.parse(`${text}T00:00:00Z`) / 1000;
const MARCH = day('2026-03-01');
const MOVE = day('2026-03-16');
const CREATED = day('2026-03-21');
const NOW_MS = (day('2026-04-21') + 12 * H) * 1000;
const T_MARCH = 124;

const CARD: RateCardSetting = {
  valid_from: '2026-01-01',
  currency: 'EUR',
  per: 'month',
  tiers: { gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 }, silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 0 } },
  templates: 1,
  srm_placeholders: 0,
  node_charged: 0,
};

const SETTINGS = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: [],
  srm_activeactive_vms: [],
  vcenter_inventory_snapshot_seconds: 6 * H,
  scheduled_aggregation_engine: 'app' as const,
  monthly_aggregation_source: 'hourly' as const,
  rate_cards: [CARD],
  cost_dimensions: [{ name: 'tenant', from: 'custom_attribute:Tenant', default: 'unassigned' }],
};

const tenant = (name: string | null) => ({ customAttributes: new Map(name === null ? [] : [['Tenant', name]]), tags: null });
const pool = (name: string) => ({ resourcePool: name, resourcePoolChain: [name] });
const vm = (vmId: string, over: Partial<VmRecord>): VmRecord => buildVm(vmId, { creationTime: MARCH - 30 * DAY, ...over });

function vc1At(t: number): VmRecord[] {
  const moved = t >= MOVE;
  const vms = [
    vm('vm-1', { name: 'web', ...pool('Gold'), vcpuCount: 2, ramGb: 8, provisionedDiskGb: 100, ...tenant('acme') }),
    vm('vm-2', { name: 'db', ...pool(moved ? 'Silver' : 'Gold'), vcpuCount: 4, ramGb: 16, provisionedDiskGb: 200, ...tenant(moved ? 'beta' : 'acme') }),
    vm('vm-3', { name: 'tmpl', resourcePool: null, resourcePoolChain: [], isTemplate: true, poweredOn: false, ...tenant(null) }),
  ];
  if (t >= CREATED) vms.push(vm('vm-4', { name: 'new', ...pool('Gold'), vcpuCount: 1, ramGb: 2, provisionedDiskGb: 10, creationTime: CREATED, ...tenant(null) }));
  return vms;
}
const vc2At = (): VmRecord[] => [vm('vm-1', { name: 'other', ...pool('Silver'), vcpuCount: 2, ramGb: 4, provisionedDiskGb: 50, ...tenant('acme') })];

const SNAPSHOTS: number[] = [];
for (let t = MARCH; t < NOW_MS / 1000 - H; t += 6 * H) SNAPSHOTS.push(t);

/** Money of one cost part: sum of price (millionths) x size x samples, divided once. */
const cost = (terms: [number, number, number][], k: number, T: number, ppm = 1) =>
  terms.reduce((sum, [price, size, n]) => sum + price * size * n, 0) / (1_000_000 * k * T * ppm);

/** March's hand-computed costs per VM: [vcpu, ram, disk, vm]. */
const MARCH_COST: Record<string, number[]> = {
  web: [cost([[20e6, 2, 124]], 1, T_MARCH), cost([[5e6, 8192, 124]], 1024, T_MARCH), cost([[100_000, 10_000, 124]], 100, T_MARCH), cost([[2e6, 1, 124]], 1, T_MARCH)],
  db: [
    cost([[20e6, 4, 60], [14e6, 4, 64]], 1, T_MARCH),
    cost([[5e6, 16_384, 60], [3.5e6, 16_384, 64]], 1024, T_MARCH),
    cost([[100_000, 20_000, 60], [80_000, 20_000, 64]], 100, T_MARCH),
    cost([[2e6, 1, 60]], 1, T_MARCH),
  ],
  tmpl: [0, 0, 0, cost([[1e6, 1, 124]], 1, T_MARCH)],
  new: [cost([[20e6, 1, 44]], 1, T_MARCH), cost([[5e6, 2048, 44]], 1024, T_MARCH), cost([[100_000, 1000, 44]], 100, T_MARCH), cost([[2e6, 1, 44]], 1, T_MARCH)],
  other: [cost([[14e6, 2, 124]], 1, T_MARCH), cost([[3.5e6, 4096, 124]], 1024, T_MARCH), cost([[80_000, 5000, 124]], 100, T_MARCH), 0],
};
const totalOf = (parts: number[]) => parts[0]! + parts[1]! + parts[2]! + parts[3]!;

const near = (actual: number, expected: number, what: string, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} != ${expected}`);

for (const engine of ENGINES) {
  describe(`allocation and explain (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    const ctx = () => testContext(store, NOW_MS);
    const allocate = (window: string, by: string, over: Partial<typeof SETTINGS> = {}, vcenters?: string[]) =>
      readAllocation(ctx(), { ...SETTINGS, ...over }, { window, by, vcenters });

    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      for (const t of SNAPSHOTS) {
        await captureInventory(ctx(), SETTINGS, { vcenter: 'vc1', snapshotTime: t, records: vc1At(t) });
        await captureInventory(ctx(), SETTINGS, { vcenter: 'vc2', snapshotTime: t, records: vc2At() });
      }
      for (const name of ['vc1', 'vc2']) {
        const vcenterId = (await findVcenterId(store, name))!;
        await aggregateMonth(ctx(), SETTINGS, { period: monthPeriod('2026-03'), vcenterId, vcenter: name, engine: 'app' });
      }
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('lastmonth by tenant and tier: the monthly summaries, a VM placed where its latest sample was, unassigned kept', async () => {
      const result = await allocate('lastmonth', 'tenant,tier');
      assert.deepEqual(result.window, { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' });
      assert.equal(result.currency, 'EUR');
      assert.deepEqual(
        result.sources.map((s) => [s.vcenter, s.source, s.total_samples, s.vms]),
        [
          ['vc1', 'monthly_summary', 124, 4],
          ['vc2', 'monthly_summary', 124, 1],
        ],
      );
      assert.deepEqual(
        result.rows.map((r) => [r.tenant, r.tier, r.vms]),
        [
          ['beta', 'silver', 1],
          ['acme', 'gold', 1],
          ['acme', 'silver', 1],
          ['unassigned', 'gold', 1],
          ['unassigned', 'none', 1],
        ],
      );
      const expected: Record<string, string> = { 'beta silver': 'db', 'acme gold': 'web', 'acme silver': 'other', 'unassigned gold': 'new', 'unassigned none': 'tmpl' };
      for (const row of result.rows) {
        const parts = MARCH_COST[expected[`${row.tenant} ${row.tier}`]!]!;
        near(row.cost.vcpu, parts[0]!, `${row.tenant}/${row.tier} vcpu`);
        near(row.cost.ram, parts[1]!, `${row.tenant}/${row.tier} ram`);
        near(row.cost.disk, parts[2]!, `${row.tenant}/${row.tier} disk`);
        near(row.cost.vm, parts[3]!, `${row.tenant}/${row.tier} vm`);
        near(row.cost.total, totalOf(parts), `${row.tenant}/${row.tier} total`);
      }
      assert.equal(result.rows[1]!.cost.total, 92);
      const fresh = result.rows.find((r) => r.tier === 'gold' && r.tenant === 'unassigned')!;
      near(fresh.prorated_vms, 44 / 124, 'new prorated');
      near(fresh.avg_vcpu, 44 / 124, 'new avg vcpu');
      near(result.total.prorated_vms, 4 + 44 / 124, 'total prorated');
      assert.equal(result.total.vms, 5);
    });

    it('its total equals the sum of the monthly summaries\' cost_total, in the report\'s order', async () => {
      const result = await allocate('lastmonth', 'tier');
      const rows = await store.all<{ cost_total: number }>(sql`
        SELECT r.cost_total FROM vm_monthly_summary r JOIN vcenters v ON v.id = r.vcenter_id
        WHERE r.month = ${MARCH} ORDER BY v.name, r.lifecycle_id`);
      let sum = 0;
      for (const r of rows) sum += Number(r.cost_total);
      assert.equal(result.total.cost.total, sum);
      near(sum, Object.values(MARCH_COST).map(totalOf).reduce((a, b) => a + b, 0), 'hand total');
    });

    it('the same days as a day range (from the spans) agree with the month to 1e-9', async () => {
      const month = await allocate('lastmonth', 'tenant,tier');
      const range = await allocate('2026-03-01..2026-03-31', 'tenant,tier');
      assert.ok(range.sources.every((s) => s.source === 'spans' && s.total_samples === 124));
      assert.deepEqual(range.rows.map((r) => [r.tenant, r.tier, r.vms]), month.rows.map((r) => [r.tenant, r.tier, r.vms]));
      range.rows.forEach((row, i) => {
        const m = month.rows[i]!;
        for (const f of ['vcpu', 'ram', 'disk', 'vm', 'total'] as const) near(row.cost[f], m.cost[f], `${row.tenant}/${row.tier} ${f}`);
        for (const f of ['prorated_vms', 'avg_vcpu', 'avg_ram_gb', 'avg_disk_gb'] as const) near(row[f], m[f], `${row.tenant}/${row.tier} ${f}`);
      });
      near(range.total.cost.total, month.total.cost.total, 'total');
    });

    it('a window over the tier move: the VM under its latest tier, priced sample by sample', async () => {
      const result = await allocate('2026-03-15..2026-03-16', 'vm,tier', {}, ['vc1']);
      const dbRow = result.rows.find((r) => r.vm === 'db')!;
      assert.deepEqual([dbRow.tier, dbRow.vm_id, dbRow.vcenter], ['silver', 'vm-2', 'vc1']);
      // 8 snapshots, 4 gold and 4 silver; 2 days of March (31 days).
      near(dbRow.cost.vcpu, ((20e6 * 4 * 4 + 14e6 * 4 * 4) * 2) / (1e6 * 8 * 31), 'db vcpu');
      near(dbRow.cost.vm, (2e6 * 4 * 2) / (1e6 * 8 * 31), 'db vm');
      assert.deepEqual(result.sources.map((s) => s.vcenter), ['vc1']);
    });

    it('a window across a month end: each month part by its own length', async () => {
      const result = await allocate('2026-03-30..2026-04-02', 'vm', {}, ['vc1']);
      const web = result.rows.find((r) => r.vm === 'web')!;
      near(web.cost.total, 92 * (2 / 31) + 92 * (2 / 30), 'web');
      assert.equal(result.sources[0]!.total_samples, 16);
    });

    it('7d, lastweek, yesterday, today and month are computed from the spans', async () => {
      const week = await allocate('7d', 'vm', {}, ['vc1']);
      assert.deepEqual(week.window, { start: '2026-04-14T00:00:00Z', end: '2026-04-21T00:00:00Z' });
      near(week.rows.find((r) => r.vm === 'web')!.cost.total, (92 * 7) / 30, 'web 7d');
      const today = await allocate('today', 'vcenter');
      // Today so far (00:00 and 06:00) stands for the whole day.
      near(today.rows.find((r) => r.vcenter === 'vc2')!.cost.total, 46 / 30, 'other today');
      const month = await allocate('month', 'vcenter');
      near(month.rows.find((r) => r.vcenter === 'vc2')!.cost.total, (46 * 21) / 30, 'other April so far');
      for (const window of ['lastweek', 'yesterday']) assert.equal((await allocate(window, 'tier')).total.vms, 5, window);
    });

    it('without rate cards: no currency, every cost 0', async () => {
      const result = await allocate('lastmonth', 'tier', { rate_cards: [] });
      assert.equal(result.currency, null);
      // The stored money columns were priced when aggregated; a window from the spans prices with today's (no) cards.
      const range = await allocate('2026-03-01..2026-03-31', 'tier', { rate_cards: [] });
      assert.equal(range.total.cost.total, 0);
      assert.equal(range.total.vms, 5);
    });

    it('refuses an unknown vCenter, dimension or window, naming the flag', async () => {
      const refused = async (promise: Promise<AllocationResult>, message: RegExp) =>
        assert.rejects(promise, (e: unknown) => e instanceof VctpError && e.code === 'usage' && message.test(e.message));
      await refused(allocate('lastmonth', 'tier', {}, ['nope']), /^--vcenter nope: no snapshots of such a vCenter \(known: vc1, vc2\)/);
      await refused(allocate('lastmonth', 'team'), /^--by team: unknown dimension team; expected vcenter, .*, vm, tenant$/);
      await refused(allocate('last-month', 'tier'), /^--window last-month: expected today/);
    });

    it('GET /api/allocation answers the query\'s result as it is, with an ETag; bad parameters are 400 naming the field', async () => {
      const server = await serverForTest({ db, now: NOW_MS, settings: { rate_cards: [CARD], cost_dimensions: SETTINGS.cost_dimensions } });
      try {
        const response = await server.app.request('/api/allocation?window=lastmonth&by=tenant,tier&vcenter=vc1');
        assert.equal(response.status, 200, await response.clone().text());
        assert.match(response.headers.get('content-type') ?? '', /application\/json/);
        const body = await response.json();
        const expected = await allocate('lastmonth', 'tenant,tier', {}, ['vc1']);
        assert.deepEqual(body, JSON.parse(JSON.stringify(expected)));
        assert.ok((body as AllocationResult).rows.some((r) => r.tier === 'gold'), 'tiers stay lower-case');
        const etag = response.headers.get('etag')!;
        const again = await server.app.request('/api/allocation?window=lastmonth&by=tenant,tier&vcenter=vc1', { headers: { 'if-none-match': etag } });
        assert.equal(again.status, 304);
        for (const [query, field, message] of [
          ['window=soon&by=tier', 'query.window', /^query.window soon: expected today/],
          ['window=7d&by=colour', 'query.by', /^query.by colour: unknown dimension colour; expected vcenter/],
          ['by=tier', 'query.window', /window/],
          ['window=7d&by=tier&vcenter=nope', 'query.vcenter', /^query.vcenter nope: no snapshots/],
        ] as const) {
          const bad = await server.app.request(`/api/allocation?${query}`);
          const error = ((await bad.json()) as { error: { field?: string; message: string } }).error;
          assert.equal(bad.status, 400, query);
          assert.equal(error.field, field, `${query}: ${error.message}`);
          assert.match(error.message, message);
        }
      } finally {
        await server.close();
      }
    });

    it('explain: the spans, sums, formulas and card entries of a month, matching the stored summary', async () => {
      const e = await explainVmPeriod(ctx(), SETTINGS, { vm: 'DB', month: '2026-03' });
      assert.deepEqual([e.vcenter, e.vmId, e.name, e.totalSamples, e.chargeClass], ['vc1', 'vm-2', 'db', 124, 'chargeable']);
      assert.deepEqual(
        e.spans.map((s) => [s.tier, s.samples, s.pieces]),
        [
          ['gold', 60, [{ card: 0, samples: 60, scale: 1 }]],
          ['silver', 64, [{ card: 0, samples: 64, scale: 1 }]],
        ],
      );
      assert.deepEqual([e.sums.samplesPresent, e.sums.sumVcpu, e.sums.goldHits, e.sums.silverHits], [124, 496, 60, 64]);
      assert.deepEqual(
        e.cost.vcpu.terms.map((t) => [t.priceTier, t.microPrice, t.quantity, t.samples, t.units]),
        [
          ['gold', 20e6, 4, 60, 20e6 * 4 * 60],
          ['silver', 14e6, 4, 64, 14e6 * 4 * 64],
        ],
      );
      assert.equal(e.cost.vcpu.units, 20e6 * 4 * 60 + 14e6 * 4 * 64);
      assert.equal(e.cost.vcpu.value, (20e6 * 4 * 60 + 14e6 * 4 * 64) / (1e6 * 124 * 1));
      assert.ok(e.stored);
      assert.deepEqual(e.differences, []);
      assert.equal(e.total, e.stored.money.total);
      near(e.total, totalOf(MARCH_COST.db!), 'db total');
    });

    it('explain: a template\'s flat price; a daily period without a summary; ambiguity and absence refused', async () => {
      const t = await explainVmPeriod(ctx(), SETTINGS, { vm: 'vm-3', month: '2026-03', vcenter: 'vc1' });
      assert.equal(t.chargeClass, 'template');
      assert.deepEqual(t.cost.vm.terms.map((x) => [x.price, x.samples]), [['templates', 124]]);
      assert.equal(t.cost.vcpu.units, 0);
      const d = await explainVmPeriod(ctx(), SETTINGS, { vm: 'db', day: '2026-03-16' });
      assert.equal(d.period.periodsPerMonth, 31);
      assert.equal(d.stored, null);
      assert.equal(d.cost.vcpu.value, (14e6 * 4 * 4) / (1e6 * 4 * 31));
      await assert.rejects(explainVmPeriod(ctx(), SETTINGS, { vm: 'vm-1', month: '2026-03' }), (e: unknown) => e instanceof VctpError && e.code === 'usage' && /names 2 VMs in 2026-03: vc1\/vm-1 .*, vc2\/vm-1/.test(e.message));
      await assert.rejects(explainVmPeriod(ctx(), SETTINGS, { vm: 'new', month: '2026-02' }), (e: unknown) => e instanceof VctpError && e.code === 'not-found');
      await assert.rejects(explainVmPeriod(ctx(), SETTINGS, { vm: 'db', day: '2026-02-30' }), /--day 2026-02-30: expected a calendar day/);
    });

    it('explain after a rate change: the stored row differs; once the month is closed, its recorded cards are used', async () => {
      const dearer = { ...SETTINGS, rate_cards: [{ ...CARD, tiers: { ...CARD.tiers, gold: { vcpu: 25, ram_gb: 5, disk_gb: 0.1, vm: 2 } } }] };
      const stale = await explainVmPeriod(ctx(), dearer, { vm: 'web', month: '2026-03' });
      assert.deepEqual(stale.differences.map((d) => d.field), ['cost_vcpu_units', 'cost_vcpu', 'cost_total']);
      await runMonthClose(ctx(), SETTINGS, { month: monthPeriod('2026-03'), reason: 'test', user: 'tester', lockWaitSeconds: 0 });
      const closed = await explainVmPeriod(ctx(), dearer, { vm: 'web', month: '2026-03' });
      assert.match(closed.cardsSource, /recorded when 2026-03 was closed/);
      assert.deepEqual(closed.differences, []);
      assert.equal(closed.total, 92);
    });
  });
}
