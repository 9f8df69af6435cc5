// Golden cost cases (issue 10), every figure worked out by hand below: April 2026 (30 days),
// snapshots every 6 hours (00, 06, 12, 18 UTC: 4 a day, TotalSamples 120 for the month), and two
// rate cards: card A per month until April 15th, card B per hour from April 16th (the card changes
// mid-month and its prices are per hour: scale 24 x 30 = 720 hours in April). Samples of April 1-15
// (60) are priced by A, of April 16-30 (60) by B. Each case is aggregated by both engines and both
// monthly sources, on SQLite and PostgreSQL, and must equal the same JavaScript numbers, so the
// databases agree to the bit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { ChargeClass } from '../../src/core/charge-rules.js';
import { addChargedUnits, chargedUnits, type CostUnits, emptyChargedUnits, type Money, moneyOf } from '../../src/core/cost.js';
import type { VmRecord } from '../../src/core/inventory.js';
import { dayPeriod, monthPeriod, type Period } from '../../src/core/periods.js';
import type { RateCardSetting } from '../../src/core/rate-cards.js';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { aggregateDay } from '../../src/jobs/aggregate-daily.js';
import { aggregateMonth } from '../../src/jobs/aggregate-monthly.js';
import type { AggregationSettings, EngineName } from '../../src/jobs/aggregation-settings.js';
import { captureInventory, type CaptureSettings } from '../../src/jobs/capture-inventory.js';
import { runBackfill } from '../../src/jobs/backfill.js';
import type { JobContext } from '../../src/jobs/context.js';
import { readTotals } from '../../src/queries/totals.js';
import type { Store } from '../../src/store/executor.js';
import { vm } from '../helpers/builders.js';
import { testContext } from '../helpers/context.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';

const H = 3600;
const APRIL = monthPeriod('2026-04');
const at = (day: number, hour: number) => APRIL.start + (day - 1) * 86_400 + hour * H;
const TIMES = Array.from({ length: 120 }, (_, i) => APRIL.start + i * 6 * H);
const NOW = Date.UTC(2026, 4, 10);

const CARDS: RateCardSetting[] = [
  {
    valid_from: '2026-01-01',
    currency: 'EUR',
    per: 'month',
    tiers: {
      gold: { vcpu: 20, ram_gb: 5, disk_gb: 0.1, vm: 2 },
      silver: { vcpu: 10, ram_gb: 2, disk_gb: 0.05, vm: 1 },
      none: { vcpu: 0, ram_gb: 0, disk_gb: 0, vm: 0.5 },
    },
    templates: 3,
    srm_placeholders: 0.5,
    node_charged: 40,
  },
  {
    valid_from: '2026-04-16',
    currency: 'EUR',
    per: 'hour',
    tiers: {
      gold: { vcpu: 0.04, ram_gb: 0.007, disk_gb: 0.0002, vm: 0.003 },
      silver: { vcpu: 0.02, ram_gb: 0.003, disk_gb: 0, vm: 0.001 },
    },
    templates: 0.004,
    srm_placeholders: 0.001,
    node_charged: 0.06,
  },
];

const SETTINGS: AggregationSettings & CaptureSettings = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: ['HPC'],
  srm_activeactive_vms: ['aa-*'],
  vcenter_inventory_snapshot_seconds: 6 * H,
  scheduled_aggregation_engine: 'app',
  monthly_aggregation_source: 'daily',
  rate_cards: CARDS,
};

// Card prices in millionths: A per month (scale 1), B per hour (scale 720 in April).
const A = { gold: { vcpu: 20e6, ram: 5e6, disk: 100_000, vm: 2e6 }, silver: { vcpu: 10e6, ram: 2e6, disk: 50_000, vm: 1e6 }, none: { vcpu: 0, ram: 0, disk: 0, vm: 500_000 } };
const A_FLAT = { template: 3e6, srm: 500_000, node: 40e6 };
const B = { gold: { vcpu: 40_000, ram: 7_000, disk: 200, vm: 3_000 }, silver: { vcpu: 20_000, ram: 3_000, disk: 0, vm: 1_000 }, none: { vcpu: 0, ram: 0, disk: 0, vm: 0 } };
const B_FLAT = { template: 4_000, srm: 1_000, node: 60_000 };
const B_SCALE = 720;

/** n samples of one state: prices x scale x size x n, per unit column (cost.ts addSampleCost by hand). */
interface Piece {
  n: number;
  card: 'A' | 'B';
  tier: 'gold' | 'silver' | 'none';
  vcpu: number;
  /** MiB */
  ram: number;
  /** 0.01 GiB */
  disk: number;
}

function units(pieces: Piece[]): CostUnits {
  const u: CostUnits = { vcpu: 0, ram: 0, disk: 0, vm: 0, template: 0, srm: 0, node: 0 };
  for (const p of pieces) {
    const [prices, flat, scale] = p.card === 'A' ? [A[p.tier], A_FLAT, 1] : [B[p.tier], B_FLAT, B_SCALE];
    const k = p.n * scale;
    u.vcpu += k * prices.vcpu * p.vcpu;
    u.ram += k * prices.ram * p.ram;
    u.disk += k * prices.disk * p.disk;
    u.vm += k * prices.vm;
    u.template += k * flat.template;
    u.srm += k * flat.srm;
    u.node += k * flat.node;
  }
  return u;
}

interface Case {
  vmId: string;
  chargeClass: ChargeClass;
  /** The VM at a snapshot time, or null when absent. */
  at(t: number): Partial<VmRecord> | null;
  month: Piece[];
  /** April 5th (card A) and April 20th (card B), 4 samples each. */
  day5: Piece[];
  day20: Piece[];
}

const gold = { resourcePool: 'Gold', resourcePoolChain: ['Gold'] };
const silver = { resourcePool: 'Silver', resourcePoolChain: ['Silver'] };
const GiB = 1024;

const CASES: Case[] = [
  {
    // Resized from 2 vCPU / 4 GiB to 4 vCPU / 8 GiB at the April 20th 12:00 snapshot, across the card
    // change: 2 vCPU for April 1-15 (60 samples, card A) and April 16-19 plus 20th 00:00 and 06:00
    // (16 + 2 = 18, card B); 4 vCPU for the remaining 120 - 78 = 42 samples (card B). 100 GiB disk.
    vmId: 'vm-resized',
    chargeClass: 'chargeable',
    at: (t) => ({ ...gold, name: 'resized', vcpuCount: t < at(20, 12) ? 2 : 4, ramGb: t < at(20, 12) ? 4 : 8, provisionedDiskGb: 100 }),
    month: [
      { n: 60, card: 'A', tier: 'gold', vcpu: 2, ram: 4 * GiB, disk: 10_000 },
      { n: 18, card: 'B', tier: 'gold', vcpu: 2, ram: 4 * GiB, disk: 10_000 },
      { n: 42, card: 'B', tier: 'gold', vcpu: 4, ram: 8 * GiB, disk: 10_000 },
    ],
    day5: [{ n: 4, card: 'A', tier: 'gold', vcpu: 2, ram: 4 * GiB, disk: 10_000 }],
    day20: [
      { n: 2, card: 'B', tier: 'gold', vcpu: 2, ram: 4 * GiB, disk: 10_000 },
      { n: 2, card: 'B', tier: 'gold', vcpu: 4, ram: 8 * GiB, disk: 10_000 },
    ],
  },
  {
    // Moved from Silver to Gold at April 10th 00:00: Silver for April 1-9 (36 samples, card A), Gold
    // for April 10-15 (24, card A) and April 16-30 (60, card B). 1 vCPU, 2 GiB, 10 GiB.
    vmId: 'vm-moved',
    chargeClass: 'chargeable',
    at: (t) => ({ ...(t < at(10, 0) ? silver : gold), name: 'moved', vcpuCount: 1, ramGb: 2, provisionedDiskGb: 10 }),
    month: [
      { n: 36, card: 'A', tier: 'silver', vcpu: 1, ram: 2 * GiB, disk: 1_000 },
      { n: 24, card: 'A', tier: 'gold', vcpu: 1, ram: 2 * GiB, disk: 1_000 },
      { n: 60, card: 'B', tier: 'gold', vcpu: 1, ram: 2 * GiB, disk: 1_000 },
    ],
    day5: [{ n: 4, card: 'A', tier: 'silver', vcpu: 1, ram: 2 * GiB, disk: 1_000 }],
    day20: [{ n: 4, card: 'B', tier: 'gold', vcpu: 1, ram: 2 * GiB, disk: 1_000 }],
  },
  {
    // Created before the April 14th 12:00 snapshot, deleted after the April 17th 06:00 one: April 14th
    // 12:00 and 18:00 and the 15th (2 + 4 = 6 samples, card A), the 16th and the 17th 00:00 and 06:00
    // (4 + 2 = 6, card B). Gold, 2 vCPU, 2 GiB, 20 GiB.
    vmId: 'vm-short',
    chargeClass: 'chargeable',
    at: (t) => (t >= at(14, 12) && t <= at(17, 6) ? { ...gold, name: 'short', vcpuCount: 2, ramGb: 2, provisionedDiskGb: 20, creationTime: at(14, 10) } : null),
    month: [
      { n: 6, card: 'A', tier: 'gold', vcpu: 2, ram: 2 * GiB, disk: 2_000 },
      { n: 6, card: 'B', tier: 'gold', vcpu: 2, ram: 2 * GiB, disk: 2_000 },
    ],
    day5: [],
    day20: [],
  },
  {
    // A template (in no pool: tier none) all month: charged the templates price only, 60 samples of
    // each card; its tier units (none: vm 0.5 on card A) are kept but not charged.
    vmId: 'vm-template',
    chargeClass: 'template',
    at: () => ({ name: 'tpl', resourcePool: null, resourcePoolChain: [], isTemplate: true, poweredOn: false, vcpuCount: 1, ramGb: 4, provisionedDiskGb: 40 }),
    month: [
      { n: 60, card: 'A', tier: 'none', vcpu: 1, ram: 4 * GiB, disk: 4_000 },
      { n: 60, card: 'B', tier: 'none', vcpu: 1, ram: 4 * GiB, disk: 4_000 },
    ],
    day5: [{ n: 4, card: 'A', tier: 'none', vcpu: 1, ram: 4 * GiB, disk: 4_000 }],
    day20: [{ n: 4, card: 'B', tier: 'none', vcpu: 1, ram: 4 * GiB, disk: 4_000 }],
  },
  {
    // A VM of node-charged cluster HPC all month: the node_charged price per VM, nothing per vCPU.
    vmId: 'vm-node',
    chargeClass: 'node_charge',
    at: () => ({ ...gold, name: 'hpc-01', cluster: 'HPC', vcpuCount: 8, ramGb: 32, provisionedDiskGb: 200 }),
    month: [
      { n: 60, card: 'A', tier: 'gold', vcpu: 8, ram: 32 * GiB, disk: 20_000 },
      { n: 60, card: 'B', tier: 'gold', vcpu: 8, ram: 32 * GiB, disk: 20_000 },
    ],
    day5: [{ n: 4, card: 'A', tier: 'gold', vcpu: 8, ram: 32 * GiB, disk: 20_000 }],
    day20: [{ n: 4, card: 'B', tier: 'gold', vcpu: 8, ram: 32 * GiB, disk: 20_000 }],
  },
  {
    // The powered-off copy of an SRM active/active pair (srm_activeactive_vms aa-*): the standby,
    // charged the srm_placeholders price (the class the SQL engine learns from the app).
    vmId: 'vm-standby',
    chargeClass: 'srm_standby',
    at: () => ({ ...silver, name: 'aa-db', poweredOn: false, vcpuCount: 2, ramGb: 4, provisionedDiskGb: 50 }),
    month: [
      { n: 60, card: 'A', tier: 'silver', vcpu: 2, ram: 4 * GiB, disk: 5_000 },
      { n: 60, card: 'B', tier: 'silver', vcpu: 2, ram: 4 * GiB, disk: 5_000 },
    ],
    day5: [{ n: 4, card: 'A', tier: 'silver', vcpu: 2, ram: 4 * GiB, disk: 5_000 }],
    day20: [{ n: 4, card: 'B', tier: 'silver', vcpu: 2, ram: 4 * GiB, disk: 5_000 }],
  },
];

interface Expected {
  rows: Map<string, { units: CostUnits; money: Money }>;
  totals: Money;
}

/** A period's expected rows and totals: money = units / (1e6 x k x T x periods per month), one division each. */
function expected(pick: (c: Case) => Piece[], totalSamples: number, periodsPerMonth: number): Expected {
  const rows = new Map<string, { units: CostUnits; money: Money }>();
  const charged = emptyChargedUnits();
  for (const c of CASES) {
    const pieces = pick(c);
    if (pieces.length === 0) continue;
    const u = units(pieces);
    rows.set(c.vmId, { units: u, money: moneyOf(chargedUnits(u, c.chargeClass), totalSamples, periodsPerMonth) });
    addChargedUnits(charged, chargedUnits(u, c.chargeClass));
  }
  return { rows, totals: moneyOf(charged, totalSamples, periodsPerMonth) };
}

async function capture(ctx: JobContext): Promise<void> {
  for (const t of TIMES) {
    const records = CASES.flatMap((c) => {
      const state = c.at(t);
      return state ? [vm(c.vmId, { cluster: 'C0', ...state })] : [];
    });
    await captureInventory(ctx, SETTINGS, { vcenter: 'vc-golden', snapshotTime: t, records });
  }
}

async function stored(store: Store, kind: 'daily' | 'monthly', period: Period): Promise<Expected> {
  const table = kind === 'daily' ? 'vm_daily_rollup' : 'vm_monthly_summary';
  const column = kind === 'daily' ? 'day' : 'month';
  const rows = await store.all<Record<string, unknown>>(sql`
    SELECT l.vm_id, r.cost_vcpu_units, r.cost_ram_units, r.cost_disk_units, r.cost_vm_units, r.cost_template_units,
           r.cost_srm_units, r.cost_node_units, r.cost_vcpu, r.cost_ram, r.cost_disk, r.cost_vm, r.cost_total
    FROM ${sql.raw(table)} r JOIN vm_lifecycle l ON l.id = r.lifecycle_id
    WHERE r.${sql.raw(column)} = ${period.start}`);
  const [t] = await store.all<Record<string, unknown>>(sql`
    SELECT cost_vcpu, cost_ram, cost_disk, cost_vm, cost_total FROM vcenter_aggregate_totals WHERE kind = ${kind} AND snapshot_time = ${period.start}`);
  const money = (r: Record<string, unknown>): Money => ({
    vcpu: Number(r.cost_vcpu),
    ram: Number(r.cost_ram),
    disk: Number(r.cost_disk),
    vm: Number(r.cost_vm),
    total: Number(r.cost_total),
  });
  return {
    rows: new Map(
      rows.map((r) => [
        String(r.vm_id),
        {
          units: {
            vcpu: Number(r.cost_vcpu_units),
            ram: Number(r.cost_ram_units),
            disk: Number(r.cost_disk_units),
            vm: Number(r.cost_vm_units),
            template: Number(r.cost_template_units),
            srm: Number(r.cost_srm_units),
            node: Number(r.cost_node_units),
          },
          money: money(r),
        },
      ]),
    ),
    totals: money(t!),
  };
}

const ENGINE_NAMES: EngineName[] = ['app', 'sql'];

for (const engine of ENGINES) {
  describe(`golden costs (${engine})`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: JobContext;
    let vcenterId: number;
    before(async () => {
      db = await createTestDatabase(engine);
      store = await db.open();
      ctx = testContext(store, NOW);
      await capture(ctx);
      const [row] = await store.all<{ id: number }>(sql`SELECT id FROM vcenters WHERE name = 'vc-golden'`);
      vcenterId = Number(row!.id);
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    it('the hand-computed units say what finance would compute', () => {
      const month = expected((c) => c.month, 120, 1);
      const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);
      // Resized: card A 20 x 2 vCPU for half the month (20), card B 0.04 per vCPU-hour x 720 hours
      // x (2 x 18 + 4 x 42) / 120 vCPU on average (48.96).
      near(month.rows.get('vm-resized')!.money.vcpu, 20 + 48.96);
      // Moved: silver 10 x 36/120 + gold 20 x 24/120 + 0.04 x 720 x 60/120 = 3 + 4 + 14.4.
      near(month.rows.get('vm-moved')!.money.vcpu, 21.4);
      // Short-lived: gold 2 vCPU, 6 samples of each card: 20 x 2 x 6/120 + 0.04 x 720 x 2 x 6/120 = 2 + 2.88.
      near(month.rows.get('vm-short')!.money.vcpu, 4.88);
      // Template: 3 x 60/120 + 0.004 x 720 x 60/120 = 1.5 + 1.44; nothing per vCPU, RAM or disk.
      const template = month.rows.get('vm-template')!.money;
      assert.deepEqual([template.vcpu, template.ram, template.disk], [0, 0, 0]);
      near(month.rows.get('vm-template')!.money.total, 2.94);
      // Node-charged: 40 x 60/120 + 0.06 x 720 x 60/120 = 20 + 21.6.
      near(month.rows.get('vm-node')!.money.vm, 41.6);
      // Standby: 0.5 x 60/120 + 0.001 x 720 x 60/120 = 0.25 + 0.36.
      near(month.rows.get('vm-standby')!.money.total, 0.61);
      // A day is the month's price / 30 for its samples: April 20th, card B, resized at noon:
      // 0.04 x 24 hours x 3 vCPU on average.
      near(expected((c) => c.day20, 4, 30).rows.get('vm-resized')!.money.vcpu, 2.88);
      // April 5th, card A: moved (silver), 10 / 30 per vCPU.
      near(expected((c) => c.day5, 4, 30).rows.get('vm-moved')!.money.vcpu, 10 / 30);
    });

    for (const e of ENGINE_NAMES) {
      it(`daily rows and totals (${e} engine) equal the hand-computed figures to the bit`, async () => {
        for (const [label, pick] of [
          ['2026-04-05', (c: Case) => c.day5],
          ['2026-04-20', (c: Case) => c.day20],
        ] as const) {
          const period = dayPeriod(label);
          await aggregateDay(ctx, SETTINGS, { period, vcenterId, vcenter: 'vc-golden', engine: e });
          assert.deepStrictEqual(await stored(store, 'daily', period), expected(pick, 4, 30), `${label} (${e})`);
        }
      });

      for (const source of ['daily', 'hourly'] as const) {
        it(`monthly rows and totals (${e} engine, from ${source}) equal the hand-computed figures to the bit`, async () => {
          await aggregateMonth(ctx, { ...SETTINGS, monthly_aggregation_source: source }, { period: APRIL, vcenterId, vcenter: 'vc-golden', engine: e });
          assert.deepStrictEqual(await stored(store, 'monthly', APRIL), expected((c) => c.month, 120, 1), `April (${e}, ${source})`);
        });
      }
    }

    it('vctp totals and /api/vcenters/totals read the period totals\' cost, null on hourly rows', async () => {
      const monthly = await readTotals(ctx, { view: 'monthly', days: 45, currency: 'EUR' });
      assert.equal(monthly.currency, 'EUR');
      assert.deepStrictEqual(
        monthly.rows.map((r) => [r.period, r.cost]),
        [['2026-04', expected((c) => c.month, 120, 1).totals]],
      );
      const hourly = await readTotals(ctx, { view: 'hourly', days: 45 });
      assert.equal(hourly.currency, null);
      assert.ok(hourly.rows.length > 0 && hourly.rows.every((r) => r.cost === null));
    });

    it('vctp backfill rebuilds the same daily and monthly totals cost from the summaries', async () => {
      const result = await runBackfill(ctx, SETTINGS, { lockWaitSeconds: 0 });
      assert.equal(result.skipped, false);
      assert.deepStrictEqual((await stored(store, 'monthly', APRIL)).totals, expected((c) => c.month, 120, 1).totals);
      assert.deepStrictEqual((await stored(store, 'daily', dayPeriod('2026-04-05'))).totals, expected((c) => c.day5, 4, 30).totals);
      assert.deepStrictEqual((await stored(store, 'daily', dayPeriod('2026-04-20'))).totals, expected((c) => c.day20, 4, 30).totals);
    });

    it('a month read from its daily rows (hourly history of April 1st gone) is the same to the bit, both engines', async () => {
      // Every day has its daily summary by now (the monthly runs above refreshed them).
      await store.run(sql`DELETE FROM snapshot_registry WHERE kind = 'hourly' AND snapshot_time < ${at(2, 0)}`);
      for (const e of ENGINE_NAMES) {
        const outcome = await aggregateMonth(ctx, SETTINGS, { period: APRIL, vcenterId, vcenter: 'vc-golden', engine: e });
        assert.equal(outcome.totalSamples, 120);
        assert.deepStrictEqual(await stored(store, 'monthly', APRIL), expected((c) => c.month, 120, 1), `April from daily rows (${e})`);
      }
    });
  });
}
