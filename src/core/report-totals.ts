// Report totals per tier and charge class (the Totals sheet, the interval rows, the Summary
// pivots). Every source is reduced to the same shape: per VM, sample sums over a period with the
// period's TotalSamples as divisor. A daily or monthly summary row gives its integer sums; a VM in
// one hourly snapshot is one sample (TotalSamples 1); a VM in an hour interval weighs its presence.
// Dividing the group's sums once at the end makes the chargeable totals bit-identical to
// vcenter_aggregate_totals (src/core/period-totals.ts), whose formulas these are.
//
// Groups, as the capture's charge rules say (src/core/charge-rules.ts): chargeable VMs are split
// by tier (a VM moved between pools counts in each tier it sampled, prorated by its hits there);
// node-charged VMs, SRM placeholders/standbys and templates are shown apart, never in the tiers.
// A tier's vCPU/RAM/disk is the VM's time-weighted size times its share of samples in that tier
// (AvgVcpuCount x PoolXPct / 100): exact when the VM kept one size, and the tiers always add up to
// the chargeable total. Cost (daily and monthly rows) is each VM's money from its summary, split
// between tiers the same way.
import type { ChargeClass } from './charge-rules.js';
import { addMoney, type Money, NO_MONEY } from './cost.js';
import type { SampleSums } from './period-rollup.js';
import { DISK_UNITS_PER_GB, RAM_UNITS_PER_GB } from './units.js';

export const TIER_GROUPS = ['tin', 'bronze', 'silver', 'gold', 'untiered'] as const;
export const TOTALS_GROUPS = [...TIER_GROUPS, 'chargeable', 'node_charge', 'srm', 'template', 'all'] as const;
export type TierGroup = (typeof TIER_GROUPS)[number];
export type TotalsGroup = (typeof TOTALS_GROUPS)[number];

export const GROUP_LABELS: Record<TotalsGroup, string> = {
  tin: 'Tin',
  bronze: 'Bronze',
  silver: 'Silver',
  gold: 'Gold',
  untiered: 'No tier',
  chargeable: 'Chargeable (all tiers)',
  node_charge: 'Node-charged (node_charge_clusters)',
  srm: 'SRM placeholders and standbys',
  template: 'Templates',
  all: 'All VMs',
};

/** One VM's sample sums and its charge class, and its cost over the period (none for hourly rows). */
export interface Contribution extends SampleSums {
  chargeClass: ChargeClass;
  money?: Money;
}

/** Sums of one group: VMs with a share in it, and their share-weighted sample sums. */
export interface GroupSums {
  vms: number;
  samples: number;
  vcpu: number;
  ramMb: number;
  diskCentiGb: number;
  /** The VMs' cost, share-weighted like the sizes: a VM that moved tiers splits by its samples in each. */
  cost: Money;
}

export type Breakdown = Record<TotalsGroup, GroupSums>;

export interface GroupTotals {
  vmCount: number;
  proratedVmCount: number;
  vcpu: number;
  ramGb: number;
  diskGb: number;
  cost: Money;
}

export type TotalsByGroup = Record<TotalsGroup, GroupTotals>;

const emptyGroup = (): GroupSums => ({ vms: 0, samples: 0, vcpu: 0, ramMb: 0, diskCentiGb: 0, cost: { ...NO_MONEY } });

export function emptyBreakdown(): Breakdown {
  return Object.fromEntries(TOTALS_GROUPS.map((g) => [g, emptyGroup()])) as Breakdown;
}

function addShare(g: GroupSums, c: Contribution, hits: number): void {
  if (hits <= 0) return;
  g.vms++;
  g.samples += hits;
  if (hits === c.samplesPresent) {
    // The whole VM: keep integer sums integer (exactness, see the top of the file).
    g.vcpu += c.sumVcpu;
    g.ramMb += c.sumRamMb;
    g.diskCentiGb += c.sumDiskCentiGb;
    if (c.money) addMoney(g.cost, c.money);
    return;
  }
  const share = hits / c.samplesPresent;
  g.vcpu += c.sumVcpu * share;
  g.ramMb += c.sumRamMb * share;
  g.diskCentiGb += c.sumDiskCentiGb * share;
  if (c.money) {
    const m = c.money;
    addMoney(g.cost, { vcpu: m.vcpu * share, ram: m.ram * share, disk: m.disk * share, vm: m.vm * share, total: m.total * share });
  }
}

export function addContribution(b: Breakdown, c: Contribution): void {
  if (c.samplesPresent <= 0) return;
  addShare(b.all, c, c.samplesPresent);
  switch (c.chargeClass) {
    case 'template':
      return addShare(b.template, c, c.samplesPresent);
    case 'srm_placeholder':
    case 'srm_standby':
      return addShare(b.srm, c, c.samplesPresent);
    case 'node_charge':
      return addShare(b.node_charge, c, c.samplesPresent);
    case 'chargeable':
      break;
  }
  addShare(b.chargeable, c, c.samplesPresent);
  addShare(b.tin, c, c.tinHits);
  addShare(b.bronze, c, c.bronzeHits);
  addShare(b.silver, c, c.silverHits);
  addShare(b.gold, c, c.goldHits);
  addShare(b.untiered, c, c.samplesPresent - c.tinHits - c.bronzeHits - c.silverHits - c.goldHits);
}

/** Prorated values: each group's sums divided once by the period's TotalSamples. */
export function breakdownTotals(b: Breakdown, totalSamples: number): TotalsByGroup {
  const out = {} as TotalsByGroup;
  for (const group of TOTALS_GROUPS) {
    const g = b[group];
    // Cost is money already (each VM's own division, src/core/cost.ts): summed, not divided.
    out[group] =
      totalSamples === 0
        ? { vmCount: g.vms, proratedVmCount: 0, vcpu: 0, ramGb: 0, diskGb: 0, cost: { ...g.cost } }
        : {
            vmCount: g.vms,
            proratedVmCount: g.samples / totalSamples,
            vcpu: g.vcpu / totalSamples,
            ramGb: g.ramMb / (totalSamples * RAM_UNITS_PER_GB),
            diskGb: g.diskCentiGb / (totalSamples * DISK_UNITS_PER_GB),
            cost: { ...g.cost },
          };
  }
  return out;
}

export function emptyTotalsByGroup(): TotalsByGroup {
  return breakdownTotals(emptyBreakdown(), 0);
}

/** a += b, group by group: totals of several vCenters (each divided by its own TotalSamples). */
export function addTotalsByGroup(a: TotalsByGroup, b: TotalsByGroup): void {
  for (const group of TOTALS_GROUPS) {
    const x = a[group];
    const y = b[group];
    x.vmCount += y.vmCount;
    x.proratedVmCount += y.proratedVmCount;
    x.vcpu += y.vcpu;
    x.ramGb += y.ramGb;
    x.diskGb += y.diskGb;
    addMoney(x.cost, y.cost);
  }
}
