// Cost of a VM over a period (README "Cost"). A sample costs its weight w times its price, where
// w = (period length / length of the sample's month) / TotalSamples for `per: month` cards, so a
// missed snapshot does not lower a bill, exactly as it does not lower an average.
//
// Exactness: per sample the price (integer micro-currency, src/core/rate-cards.ts) times the size
// (vCPUs, MiB, 0.01 GiB; src/core/units.ts) times the card's month scale is an integer, and a VM's
// "units" are the sum of those integers, kept per cost dimension. Money is then one division of an
// exact integer by an exact integer, written identically in the SQL engine's statements, so both
// engines and both databases give bit-identical cost:
//   money = units / (1e6 x k x TotalSamples x periodsPerMonth)
// with k = 1024 for RAM (MiB per GiB), 100 for disk (0.01 GiB per GiB), 1 otherwise, and
// periodsPerMonth = the month's days for a daily row, 1 for a monthly row.
import type { ChargeClass } from './charge-rules.js';
import { VctpError } from './errors.js';
import { MICRO_PER_UNIT, tierPrices, type RateCard } from './rate-cards.js';
import type { Tier } from './tiers.js';
import { DISK_UNITS_PER_GB, RAM_UNITS_PER_GB } from './units.js';

/** Exact integer sums, micro-currency x size x month scale, per cost dimension. */
export interface CostUnits {
  vcpu: number;
  ram: number;
  disk: number;
  vm: number;
  /** The flat prices, summed for every VM: which one applies depends on its charge class. */
  template: number;
  srm: number;
  node: number;
}

/** The units a VM is charged, once its charge class picked the flat price or the tier prices. */
export interface ChargedUnits {
  vcpu: number;
  ram: number;
  disk: number;
  vm: number;
}

export interface Money {
  vcpu: number;
  ram: number;
  disk: number;
  vm: number;
  total: number;
}

export const COST_DIMENSIONS = ['vcpu', 'ram', 'disk', 'vm'] as const;

export function emptyCostUnits(): CostUnits {
  return { vcpu: 0, ram: 0, disk: 0, vm: 0, template: 0, srm: 0, node: 0 };
}

export function emptyChargedUnits(): ChargedUnits {
  return { vcpu: 0, ram: 0, disk: 0, vm: 0 };
}

export const NO_MONEY: Readonly<Money> = Object.freeze({ vcpu: 0, ram: 0, disk: 0, vm: 0, total: 0 });

/** The sizes of a span, in the integer units the sums use. */
export interface SampleSizes {
  vcpuCount: number;
  ramMb: number;
  diskCentiGb: number;
}

/**
 * Adds n samples of one state, priced by `card` (none: free) at `scale` (src/core/rate-cards.ts
 * PricingSegment.scale) for the sample's tier.
 */
export function addSampleCost(units: CostUnits, card: RateCard | undefined, scale: number, tier: Tier | null, n: number, sizes: SampleSizes): void {
  if (card === undefined || n <= 0) return;
  const p = tierPrices(card, tier);
  const k = n * scale;
  units.vcpu += k * p.vcpu * sizes.vcpuCount;
  units.ram += k * p.ramGb * sizes.ramMb;
  units.disk += k * p.diskGb * sizes.diskCentiGb;
  units.vm += k * p.vm;
  units.template += k * card.template;
  units.srm += k * card.srmPlaceholder;
  units.node += k * card.nodeCharged;
  assertExactUnits(units);
}

export function addCostUnits(a: CostUnits, b: CostUnits): void {
  a.vcpu += b.vcpu;
  a.ram += b.ram;
  a.disk += b.disk;
  a.vm += b.vm;
  a.template += b.template;
  a.srm += b.srm;
  a.node += b.node;
  assertExactUnits(a);
}

export function addChargedUnits(a: ChargedUnits, b: ChargedUnits): void {
  a.vcpu += b.vcpu;
  a.ram += b.ram;
  a.disk += b.disk;
  a.vm += b.vm;
}

// The SQL engine sums in 64-bit integers; past 2^53 JavaScript numbers would round and the
// engines would disagree. Real prices are many orders of magnitude below this.
export function assertExactUnits(units: CostUnits): void {
  // Field by field, not Object.values: this runs once per span and period, and an array per call
  // showed up as garbage collection in allocation over the spans.
  const safe = Number.isSafeInteger;
  if (safe(units.vcpu) && safe(units.ram) && safe(units.disk) && safe(units.vm) && safe(units.template) && safe(units.srm) && safe(units.node)) return;
  throw new VctpError('config', "settings.rate_cards: a VM's cost in a period exceeds 2^53 millionths of the currency; check the prices' scale");
}

/**
 * Templates pay the templates price, SRM placeholders and standby copies the srm_placeholders
 * price, VMs of node-charged clusters the node_charged price, each as their per-VM cost; every
 * other VM pays its tiers' per-vCPU, per-GiB and per-VM prices.
 */
export function chargedUnits(units: CostUnits, chargeClass: ChargeClass): ChargedUnits {
  switch (chargeClass) {
    case 'chargeable':
      return { vcpu: units.vcpu, ram: units.ram, disk: units.disk, vm: units.vm };
    case 'template':
      return { vcpu: 0, ram: 0, disk: 0, vm: units.template };
    case 'srm_placeholder':
    case 'srm_standby':
      return { vcpu: 0, ram: 0, disk: 0, vm: units.srm };
    case 'node_charge':
      return { vcpu: 0, ram: 0, disk: 0, vm: units.node };
  }
}

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);

/** Money of a stored row: a day (periodsPerMonth = the month's days) or a month (1). */
export function moneyOf(charged: ChargedUnits, totalSamples: number, periodsPerMonth: number): Money {
  const vcpu = ratio(charged.vcpu, MICRO_PER_UNIT * 1 * totalSamples * periodsPerMonth);
  const ram = ratio(charged.ram, MICRO_PER_UNIT * RAM_UNITS_PER_GB * totalSamples * periodsPerMonth);
  const disk = ratio(charged.disk, MICRO_PER_UNIT * DISK_UNITS_PER_GB * totalSamples * periodsPerMonth);
  const vm = ratio(charged.vm, MICRO_PER_UNIT * 1 * totalSamples * periodsPerMonth);
  return { vcpu, ram, disk, vm, total: vcpu + ram + disk + vm };
}

/** One calendar month's part of a window: the VM's charged units in it and the month's days. */
export interface MonthPart {
  charged: ChargedUnits;
  monthDays: number;
}

/**
 * Money over a window of `windowDays` whole days that is not one stored period (README
 * "Allocation"): sum over its month parts, in month order, of units x windowDays / (1e6 x k x
 * TotalSamples x monthDays). For a one-day window this is moneyOf with periodsPerMonth = monthDays.
 */
export function windowMoney(parts: readonly MonthPart[], totalSamples: number, windowDays: number): Money {
  const sum = { vcpu: 0, ram: 0, disk: 0, vm: 0 };
  for (const { charged, monthDays } of parts) {
    sum.vcpu += ratio(charged.vcpu * windowDays, MICRO_PER_UNIT * 1 * totalSamples * monthDays);
    sum.ram += ratio(charged.ram * windowDays, MICRO_PER_UNIT * RAM_UNITS_PER_GB * totalSamples * monthDays);
    sum.disk += ratio(charged.disk * windowDays, MICRO_PER_UNIT * DISK_UNITS_PER_GB * totalSamples * monthDays);
    sum.vm += ratio(charged.vm * windowDays, MICRO_PER_UNIT * 1 * totalSamples * monthDays);
  }
  return { ...sum, total: sum.vcpu + sum.ram + sum.disk + sum.vm };
}

export function addMoney(a: Money, b: Money): void {
  a.vcpu += b.vcpu;
  a.ram += b.ram;
  a.disk += b.disk;
  a.vm += b.vm;
  a.total += b.total;
}
