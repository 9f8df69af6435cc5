// Data for the aggregation tests: random hourly inventories (fast-check) with the sums they imply
// worked out straight from the inventories, a deterministic synthetic fleet for the crash test and
// measurements, and readers that return everything one aggregation writes for one period.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { type ChargeClass, chargeRules } from '../../src/core/charge-rules.js';
import {
  addChargedUnits,
  addSampleCost,
  chargedUnits,
  type CostUnits,
  emptyChargedUnits,
  emptyCostUnits,
  type Money,
  moneyOf,
} from '../../src/core/cost.js';
import type { VmRecord } from '../../src/core/inventory.js';
import { daysInMonthOf, type PeriodKind } from '../../src/core/periods.js';
import { cardAt, PRICE_TIERS, type RateCardSetting, rateCardsFromSettings } from '../../src/core/rate-cards.js';
import { DEFAULT_TIER_PATTERNS, type Tier, tierResolver } from '../../src/core/tiers.js';
import { diskCentiGb, ramMb, roundDiskGb } from '../../src/core/units.js';
import { captureInventory, type CaptureSettings } from '../../src/jobs/capture-inventory.js';
import type { AggregationSettings } from '../../src/jobs/aggregation-settings.js';
import type { JobContext } from '../../src/jobs/context.js';
import type { SqlExecutor, Store } from '../../src/store/executor.js';
import { SUMMARY_TABLE, summaryColumns } from '../../src/store/summary-repository.js';
import { seededRandom } from '../../src/core/seeded-random.js';

export const HOUR = 3600;
export const DAY = 86_400;

/** Node-charged cluster C1 and SRM active/active names make the totals' classes differ per VM. */
export const AGG_SETTINGS: AggregationSettings & CaptureSettings = {
  tier_patterns: DEFAULT_TIER_PATTERNS,
  tenants_to_filter: [],
  node_charge_clusters: ['C1'],
  srm_activeactive_vms: ['srm-*'],
  vcenter_inventory_snapshot_seconds: HOUR,
  scheduled_aggregation_engine: 'app',
  monthly_aggregation_source: 'daily',
};

export const withSource = (source: 'daily' | 'hourly', base: typeof AGG_SETTINGS = AGG_SETTINGS): typeof AGG_SETTINGS => ({
  ...base,
  monthly_aggregation_source: source,
});

/**
 * Random rate cards: 0-3 cards starting on days in and around the data (so a card can change in
 * the middle of a month, or start after the data), per month or per hour, each tier priced or
 * missing, prices in millionths up to 30 per month or 0.05 per hour (sums stay far below 2^53).
 */
export function rateCardsArb(days: readonly string[]): fc.Arbitrary<RateCardSetting[]> {
  const cardArb = (validFrom: string): fc.Arbitrary<RateCardSetting> =>
    fc.constantFrom<'month' | 'hour'>('month', 'hour').chain((per) => {
      const priceArb = fc.integer({ min: 0, max: per === 'month' ? 30_000_000 : 50_000 }).map((micro) => micro / 1_000_000);
      const tierArb = fc.record({ vcpu: priceArb, ram_gb: priceArb, disk_gb: priceArb, vm: priceArb });
      return fc.record({
        valid_from: fc.constant(validFrom),
        currency: fc.constant('EUR'),
        per: fc.constant(per),
        tiers: fc.record(Object.fromEntries(PRICE_TIERS.map((t) => [t, tierArb])) as Record<(typeof PRICE_TIERS)[number], typeof tierArb>, {
          requiredKeys: [],
        }),
        templates: priceArb,
        srm_placeholders: priceArb,
        node_charged: priceArb,
      });
    });
  return fc
    .uniqueArray(fc.constantFrom(...days), { maxLength: 3 })
    .chain((from) => fc.tuple(...[...from].sort().map(cardArb)))
    .map((cards) => [...cards]);
}

// ---------------------------------------------------------------------------------------------
// Everything one aggregation writes for one vCenter and period.

export type Row = Record<string, unknown>;

export interface PeriodState {
  rows: Row[];
  registry: Row[];
  totals: Row[];
}

const plain = (row: Row): Row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));

export async function readPeriodState(db: SqlExecutor, kind: PeriodKind, vcenterId: number, periodStart: number): Promise<PeriodState> {
  const { table, period } = SUMMARY_TABLE[kind];
  const columns = sql.raw(summaryColumns(kind).map((c) => c.name).join(', '));
  const rows = await db.all<Row>(sql`
    SELECT ${columns} FROM ${sql.raw(table)} WHERE vcenter_id = ${vcenterId} AND ${sql.raw(period)} = ${periodStart} ORDER BY lifecycle_id`);
  const registry = await db.all<Row>(sql`
    SELECT vcenter_id, kind, snapshot_time, row_count, duration_ms, created_at, expected_samples, total_samples
    FROM snapshot_registry WHERE vcenter_id = ${vcenterId} AND kind = ${kind} AND snapshot_time = ${periodStart}`);
  const totals = await db.all<Row>(sql`
    SELECT * FROM vcenter_aggregate_totals WHERE vcenter_id = ${vcenterId} AND kind = ${kind} AND snapshot_time = ${periodStart}`);
  return { rows: rows.map(plain), registry: registry.map(plain), totals: totals.map(plain) };
}

export async function vcenterIds(db: SqlExecutor): Promise<Map<string, number>> {
  const rows = await db.all<{ id: number; name: string }>(sql`SELECT id, name FROM vcenters`);
  return new Map(rows.map((r) => [r.name, Number(r.id)]));
}

// ---------------------------------------------------------------------------------------------
// Random inventories: a few VMs per vCenter, changed by random events hour by hour.

const NAMES = ['web01', 'db-01', 'srm-app', "o'quote"];
const POOLS: (string | null)[] = ['Gold', 'silver', 'Resources', 'Tin', 'BRONZE', null];
const CLUSTERS: (string | null)[] = ['C0', 'C1', null];
const VCPUS = [1, 2, 4, 8, 64];
// 2.00048828125 GiB is 2048.5 MiB: a rounding tie, which JS rounds up and PostgreSQL's
// round(float8) would round to even. Never produced by vCenter (whole MiB), but the SQL must agree.
const RAMS = [0.5, 0.75, 1, 4, 16, 2.00048828125];
// Disk is kept to 0.01 GiB at capture (12.345 becomes whatever roundDiskGb says, 0.005 becomes 0.01).
const DISKS = [0, 12.34, 40.5, 100, 1024.13, 0.29, 12.345, 0.005];

export interface VmSeed {
  name: number;
  pool: number;
  cluster: number;
  vcpu: number;
  ram: number;
  disk: number;
  present: boolean;
  poweredOn: boolean;
  isTemplate: boolean;
  srmPlaceholder: boolean;
  creation: number;
}

export type ChangeKind = 'presence' | 'name' | 'pool' | 'cluster' | 'vcpu' | 'ram' | 'disk' | 'power' | 'template' | 'srm';

export interface Change {
  hour: number;
  vm: number;
  what: ChangeKind;
  pick: number;
}

export interface VcenterScenario {
  vms: VmSeed[];
  changes: Change[];
  /** Hours without a snapshot. */
  missed: number[];
  /** A day index (from the scenario's first day) with no snapshot at all, or null. */
  darkDay: number | null;
  /** Seconds after the hour at which this vCenter's snapshots are taken. */
  offset: number;
}

export interface Scenario {
  /** First hour (unix s, on the hour). */
  start: number;
  hours: number;
  vcenters: VcenterScenario[];
}

const vmSeedArb: fc.Arbitrary<VmSeed> = fc.record({
  name: fc.nat(NAMES.length - 1),
  pool: fc.nat(POOLS.length - 1),
  cluster: fc.nat(CLUSTERS.length - 1),
  vcpu: fc.nat(VCPUS.length - 1),
  ram: fc.nat(RAMS.length - 1),
  disk: fc.nat(DISKS.length - 1),
  present: fc.boolean(),
  poweredOn: fc.boolean(),
  isTemplate: fc.nat(5).map((n) => n === 0),
  srmPlaceholder: fc.nat(5).map((n) => n === 0),
  creation: fc.constantFrom(0, -10 * DAY, 5000),
});

export function scenarioArb(start: number, hours: number): fc.Arbitrary<Scenario> {
  const changeArb: fc.Arbitrary<Change> = fc.record({
    hour: fc.nat(hours - 1),
    vm: fc.nat(),
    what: fc.constantFrom<ChangeKind>('presence', 'presence', 'presence', 'name', 'pool', 'pool', 'cluster', 'vcpu', 'ram', 'disk', 'power', 'template', 'srm'),
    pick: fc.nat(),
  });
  const vcenterArb: fc.Arbitrary<VcenterScenario> = fc.record({
    vms: fc.array(vmSeedArb, { minLength: 1, maxLength: 9 }),
    changes: fc.array(changeArb, { maxLength: 45 }),
    missed: fc.uniqueArray(fc.nat(hours - 1), { maxLength: 12 }),
    darkDay: fc.option(fc.nat(Math.floor((hours - 1) / 24)), { nil: null, freq: 4 }),
    offset: fc.nat(1800),
  });
  return fc.record({ start: fc.constant(start), hours: fc.constant(hours), vcenters: fc.array(vcenterArb, { minLength: 2, maxLength: 2 }) });
}

/** One captured VM at one snapshot, with the values aggregation derives from it. */
export interface SampleFact {
  vcenter: string;
  vmId: string;
  time: number;
  name: string;
  vcpu: number;
  ramMb: number;
  diskCentiGb: number;
  tier: Tier | null;
  cluster: string | null;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
}

export interface CapturedScenario {
  /** Snapshot times per vCenter name. */
  times: Map<string, number[]>;
  samples: SampleFact[];
}

export const vcenterName = (i: number): string => `vc-${String.fromCharCode(97 + i)}`;

function record(vmId: string, s: VmSeed, start: number): VmRecord {
  const pool = POOLS[s.pool % POOLS.length]!;
  return {
    vmId,
    name: NAMES[s.name % NAMES.length]!,
    vmUuid: null,
    instanceUuid: null,
    eventKey: null,
    cloudId: null,
    resourcePool: pool,
    resourcePoolChain: pool === null ? [] : [pool],
    datacenter: 'DC0',
    cluster: CLUSTERS[s.cluster % CLUSTERS.length]!,
    folder: '/DC0/vm',
    provisionedDiskGb: DISKS[s.disk % DISKS.length]!,
    vcpuCount: VCPUS[s.vcpu % VCPUS.length]!,
    ramGb: RAMS[s.ram % RAMS.length]!,
    isTemplate: s.isTemplate,
    poweredOn: s.poweredOn,
    srmPlaceholder: s.srmPlaceholder,
    creationTime: s.creation === 0 ? 0 : start + s.creation,
  };
}

function applyChange(s: VmSeed, c: Change): void {
  switch (c.what) {
    case 'presence':
      s.present = !s.present;
      break;
    case 'name':
      s.name = c.pick;
      break;
    case 'pool':
      s.pool = c.pick;
      break;
    case 'cluster':
      s.cluster = c.pick;
      break;
    case 'vcpu':
      s.vcpu = c.pick;
      break;
    case 'ram':
      s.ram = c.pick;
      break;
    case 'disk':
      s.disk = c.pick;
      break;
    case 'power':
      s.poweredOn = !s.poweredOn;
      break;
    case 'template':
      s.isTemplate = !s.isTemplate;
      break;
    case 'srm':
      s.srmPlaceholder = !s.srmPlaceholder;
      break;
  }
}

/** Captures the scenario hour by hour and returns what was captured. */
export async function captureScenario(ctx: JobContext, scenario: Scenario): Promise<CapturedScenario> {
  const tierOf = tierResolver(DEFAULT_TIER_PATTERNS);
  const states = scenario.vcenters.map((vc) => vc.vms.map((vm) => ({ ...vm })));
  const times = new Map<string, number[]>();
  const samples: SampleFact[] = [];
  for (let hour = 0; hour < scenario.hours; hour++) {
    for (const [i, vc] of scenario.vcenters.entries()) {
      const state = states[i]!;
      for (const change of vc.changes) if (change.hour === hour) applyChange(state[change.vm % state.length]!, change);
      if (vc.missed.includes(hour) || (vc.darkDay !== null && Math.floor(hour / 24) === vc.darkDay)) continue;
      const vcenter = vcenterName(i);
      const time = scenario.start + hour * HOUR + vc.offset;
      const records = state.flatMap((s, j) => (s.present ? [record(`vm-${j + 1}`, s, scenario.start)] : []));
      await captureInventory(ctx, AGG_SETTINGS, { vcenter, snapshotTime: time, records });
      times.set(vcenter, [...(times.get(vcenter) ?? []), time]);
      for (const r of records) {
        samples.push({
          vcenter,
          vmId: r.vmId,
          time,
          name: r.name,
          vcpu: r.vcpuCount,
          ramMb: ramMb(r.ramGb),
          diskCentiGb: diskCentiGb(roundDiskGb(r.provisionedDiskGb)),
          tier: tierOf(r.resourcePoolChain),
          cluster: r.cluster,
          isTemplate: r.isTemplate,
          poweredOn: r.poweredOn,
          srmPlaceholder: r.srmPlaceholder,
        });
      }
    }
  }
  return { times, samples };
}

/** What the definition says a VM's summary holds for [start, end), straight from the captured inventories. */
export interface ExpectedSums {
  vmId: string;
  samplesPresent: number;
  totalSamples: number;
  sumVcpu: number;
  sumRamMb: number;
  sumDiskCentiGb: number;
  hits: Record<Tier, number>;
  snapshotTime: number;
  name: string;
  /** Each sample priced by the card of its time and its tier (cost.ts), all seven unit sums. */
  cost: CostUnits;
  /** moneyOf(chargedUnits(cost, class of the latest sample), TotalSamples, periods per month). */
  money: Money;
}

/** `cards`: the settings' rate_cards; `kind` sets the periods per month of the money. */
export function expectedSums(
  captured: CapturedScenario,
  vcenter: string,
  start: number,
  end: number,
  cards: readonly RateCardSetting[] = [],
  kind: PeriodKind = 'daily',
): Map<string, ExpectedSums> {
  return new Map([...expectedVms(captured, vcenter, start, end, cards, kind)].map(([id, vm]) => [id, vm.sums]));
}

/** The period totals' cost (period-totals.ts): every VM's class-resolved units added up, then divided once. */
export function expectedTotalsCost(
  captured: CapturedScenario,
  vcenter: string,
  start: number,
  end: number,
  cards: readonly RateCardSetting[],
  kind: PeriodKind,
): Money {
  const units = emptyChargedUnits();
  const vms = [...expectedVms(captured, vcenter, start, end, cards, kind).values()];
  for (const vm of vms) addChargedUnits(units, chargedUnits(vm.sums.cost, vm.chargeClass));
  const totalSamples = (captured.times.get(vcenter) ?? []).filter((t) => t >= start && t < end).length;
  return moneyOf(units, totalSamples, kind === 'daily' ? daysInMonthOf(start) : 1);
}

function expectedVms(
  captured: CapturedScenario,
  vcenter: string,
  start: number,
  end: number,
  cards: readonly RateCardSetting[],
  kind: PeriodKind,
): Map<string, { sums: ExpectedSums; chargeClass: ChargeClass }> {
  const totalSamples = (captured.times.get(vcenter) ?? []).filter((t) => t >= start && t < end).length;
  const rateCards = rateCardsFromSettings(cards);
  const rules = chargeRules(AGG_SETTINGS);
  const out = new Map<string, ExpectedSums>();
  const latest = new Map<string, SampleFact>();
  for (const s of captured.samples) {
    if (s.vcenter !== vcenter || s.time < start || s.time >= end) continue;
    let e = out.get(s.vmId);
    if (!e) {
      e = {
        vmId: s.vmId,
        samplesPresent: 0,
        totalSamples,
        sumVcpu: 0,
        sumRamMb: 0,
        sumDiskCentiGb: 0,
        hits: { tin: 0, bronze: 0, silver: 0, gold: 0 },
        snapshotTime: s.time,
        name: s.name,
        cost: emptyCostUnits(),
        money: { vcpu: 0, ram: 0, disk: 0, vm: 0, total: 0 },
      };
      out.set(s.vmId, e);
    }
    e.samplesPresent++;
    e.sumVcpu += s.vcpu;
    e.sumRamMb += s.ramMb;
    e.sumDiskCentiGb += s.diskCentiGb;
    if (s.tier) e.hits[s.tier]++;
    // One sample at a time, its own card and month scale: no segments involved.
    const card = cardAt(rateCards, s.time);
    const scale = card?.per === 'hour' ? 24 * daysInMonthOf(s.time) : 1;
    addSampleCost(e.cost, card, scale, s.tier, 1, { vcpuCount: s.vcpu, ramMb: s.ramMb, diskCentiGb: s.diskCentiGb });
    if (s.time >= e.snapshotTime) {
      e.snapshotTime = s.time;
      e.name = s.name;
      latest.set(s.vmId, s);
    }
  }
  const periodsPerMonth = kind === 'daily' ? daysInMonthOf(start) : 1;
  const vms = new Map<string, { sums: ExpectedSums; chargeClass: ChargeClass }>();
  for (const e of out.values()) {
    const l = latest.get(e.vmId)!;
    const chargeClass = rules.classify({ name: l.name, cluster: l.cluster, isTemplate: l.isTemplate, poweredOn: l.poweredOn, srmPlaceholder: l.srmPlaceholder });
    e.money = moneyOf(chargedUnits(e.cost, chargeClass), totalSamples, periodsPerMonth);
    vms.set(e.vmId, { sums: e, chargeClass });
  }
  return vms;
}

/** The same facts read from stored summary rows, keyed by vm_id, for comparison with expectedSums. */
export async function storedSums(db: SqlExecutor, kind: PeriodKind, vcenterId: number, periodStart: number): Promise<Map<string, ExpectedSums>> {
  const { table, period } = SUMMARY_TABLE[kind];
  const rows = await db.all<Row>(sql`
    SELECT l.vm_id, r.samples_present, r.total_samples, r.sum_vcpu, r.sum_ram_mb, r.sum_disk_centigb,
           r.tin_hits, r.bronze_hits, r.silver_hits, r.gold_hits, r.snapshot_time, r.name,
           r.cost_vcpu_units, r.cost_ram_units, r.cost_disk_units, r.cost_vm_units, r.cost_template_units, r.cost_srm_units,
           r.cost_node_units, r.cost_vcpu, r.cost_ram, r.cost_disk, r.cost_vm, r.cost_total
    FROM ${sql.raw(table)} r JOIN vm_lifecycle l ON l.id = r.lifecycle_id
    WHERE r.vcenter_id = ${vcenterId} AND r.${sql.raw(period)} = ${periodStart}`);
  return new Map(
    rows.map((r) => [
      String(r.vm_id),
      {
        vmId: String(r.vm_id),
        samplesPresent: Number(r.samples_present),
        totalSamples: Number(r.total_samples),
        sumVcpu: Number(r.sum_vcpu),
        sumRamMb: Number(r.sum_ram_mb),
        sumDiskCentiGb: Number(r.sum_disk_centigb),
        hits: { tin: Number(r.tin_hits), bronze: Number(r.bronze_hits), silver: Number(r.silver_hits), gold: Number(r.gold_hits) },
        snapshotTime: Number(r.snapshot_time),
        name: String(r.name),
        cost: {
          vcpu: Number(r.cost_vcpu_units),
          ram: Number(r.cost_ram_units),
          disk: Number(r.cost_disk_units),
          vm: Number(r.cost_vm_units),
          template: Number(r.cost_template_units),
          srm: Number(r.cost_srm_units),
          node: Number(r.cost_node_units),
        },
        money: { vcpu: Number(r.cost_vcpu), ram: Number(r.cost_ram), disk: Number(r.cost_disk), vm: Number(r.cost_vm), total: Number(r.cost_total) },
      },
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// A deterministic synthetic fleet: many VMs, hourly, with a little churn every hour.

/** The crash test's parent and child build the same fleet from the same seed. */
export const prng = seededRandom;

export interface FleetOptions {
  vcenter: string;
  vms: number;
  /** First snapshot time. */
  start: number;
  hours: number;
  seed: number;
}

/** Captures a fleet hour by hour: per hour about 1% resized, 0.5% moved, 0.5% vanished or returned. */
export async function captureFleet(ctx: JobContext, o: FleetOptions): Promise<number[]> {
  const random = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const seeds: VmSeed[] = Array.from({ length: o.vms }, () => ({
    name: Math.floor(random() * NAMES.length),
    pool: Math.floor(random() * POOLS.length),
    cluster: Math.floor(random() * CLUSTERS.length),
    vcpu: Math.floor(random() * VCPUS.length),
    ram: Math.floor(random() * (RAMS.length - 1)),
    disk: Math.floor(random() * DISKS.length),
    present: random() < 0.98,
    poweredOn: random() < 0.9,
    isTemplate: random() < 0.02,
    srmPlaceholder: random() < 0.01,
    creation: pick([0, -10 * DAY]),
  }));
  const times: number[] = [];
  for (let hour = 0; hour < o.hours; hour++) {
    if (hour > 0) {
      for (const s of seeds) {
        const r = random();
        if (r < 0.01) s.vcpu = Math.floor(random() * VCPUS.length);
        else if (r < 0.015) s.pool = Math.floor(random() * POOLS.length);
        else if (r < 0.02) s.present = !s.present;
      }
    }
    const time = o.start + hour * HOUR;
    const records = seeds.flatMap((s, j) => (s.present ? [record(`vm-${j + 1}`, s, o.start)] : []));
    await captureInventory(ctx, AGG_SETTINGS, { vcenter: o.vcenter, snapshotTime: time, records });
    times.push(time);
  }
  return times;
}
