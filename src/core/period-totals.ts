// Per-vCenter totals of a day or month (the daily/monthly rows of vcenter_aggregate_totals):
// prorated over the period. Every VM of a vCenter shares the period's TotalSamples, so each
// prorated total is an exact integer sum divided once, identical for both engines:
//   chargeable VMs = sum SamplesPresent / TotalSamples, vCPU = sum vCPU samples / TotalSamples, ...
// Counts of templates, SRM placeholders and node-charged VMs are plain counts of VMs with a row;
// the class of a VM is that of its latest sample in the period.
//
// Cost: each row's units resolved by its class (cost.ts chargedUnits), summed over the rows as
// exact integers (exact-sum.ts: a vCenter's month passes 2^53), then the one division of moneyOf
// with the period's TotalSamples and periods per month (all rows share both). So the total does
// not depend on the order of the rows, and is not the float sum of the rows' money (which would).
import type { ChargeClass } from './charge-rules.js';
import { chargedUnits, moneyOf, type CostUnits, type Money } from './cost.js';
import { ExactSum } from './exact-sum.js';
import { emptySums, addSums, type SampleSums } from './period-rollup.js';
import { emptyTotals, type VcenterTotals } from './totals.js';
import { DISK_UNITS_PER_GB, RAM_UNITS_PER_GB } from './units.js';

export interface PeriodTotalsInput {
  sums: SampleSums;
  /** The row's cost units, all seven: its class picks the ones charged. */
  cost: CostUnits;
  chargeClass: ChargeClass;
  poweredOn: boolean;
}

/** A daily or monthly totals row: the counts and the period's cost (0 without rate cards). */
export interface PeriodTotals extends VcenterTotals {
  cost: Money;
}

/** periodsPerMonth: the month's days for a day, 1 for a month (cost.ts moneyOf). */
export function periodTotals(rows: Iterable<PeriodTotalsInput>, totalSamples: number, periodsPerMonth: number): PeriodTotals {
  const totals = emptyTotals();
  const charged: SampleSums = emptySums();
  const units = { vcpu: new ExactSum(), ram: new ExactSum(), disk: new ExactSum(), vm: new ExactSum() };
  for (const row of rows) {
    totals.vmCount++;
    if (row.poweredOn) totals.poweredOnCount++;
    if (row.chargeClass === 'template') totals.templateCount++;
    else if (row.chargeClass === 'srm_placeholder' || row.chargeClass === 'srm_standby') totals.srmPlaceholderCount++;
    else if (row.chargeClass === 'node_charge') totals.nodeChargeVmCount++;
    else addSums(charged, row.sums);
    const billed = chargedUnits(row.cost, row.chargeClass);
    units.vcpu.add(billed.vcpu);
    units.ram.add(billed.ram);
    units.disk.add(billed.disk);
    units.vm.add(billed.vm);
  }
  const summed = { vcpu: units.vcpu.toNumber(), ram: units.ram.toNumber(), disk: units.disk.toNumber(), vm: units.vm.toNumber() };
  const cost = moneyOf(summed, totalSamples, periodsPerMonth);
  if (totalSamples === 0) return { ...totals, cost };
  const tiered = charged.tinHits + charged.bronzeHits + charged.silverHits + charged.goldHits;
  totals.chargeableVmCount = charged.samplesPresent / totalSamples;
  totals.vcpuTotal = charged.sumVcpu / totalSamples;
  totals.ramGbTotal = charged.sumRamMb / (totalSamples * RAM_UNITS_PER_GB);
  totals.diskGbTotal = charged.sumDiskCentiGb / (totalSamples * DISK_UNITS_PER_GB);
  totals.tinVmCount = charged.tinHits / totalSamples;
  totals.bronzeVmCount = charged.bronzeHits / totalSamples;
  totals.silverVmCount = charged.silverHits / totalSamples;
  totals.goldVmCount = charged.goldHits / totalSamples;
  totals.untieredVmCount = (charged.samplesPresent - tiered) / totalSamples;
  return { ...totals, cost };
}
