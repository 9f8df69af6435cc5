// Per-vCenter totals of a day or month (the daily/monthly rows of vcenter_aggregate_totals):
// prorated over the period. Every VM of a vCenter shares the period's TotalSamples, so each
// prorated total is an exact integer sum divided once, identical for both engines:
//   chargeable VMs = sum SamplesPresent / TotalSamples, vCPU = sum vCPU samples / TotalSamples, ...
// Counts of templates, SRM placeholders and node-charged VMs are plain counts of VMs with a row;
// the class of a VM is that of its latest sample in the period.
import type { ChargeClass } from './charge-rules.js';
import { emptySums, addSums, type SampleSums } from './period-rollup.js';
import { emptyTotals, type VcenterTotals } from './totals.js';
import { DISK_UNITS_PER_GB, RAM_UNITS_PER_GB } from './units.js';

export interface PeriodTotalsInput {
  sums: SampleSums;
  chargeClass: ChargeClass;
  poweredOn: boolean;
}

export function periodTotals(rows: Iterable<PeriodTotalsInput>, totalSamples: number): VcenterTotals {
  const totals = emptyTotals();
  const charged: SampleSums = emptySums();
  for (const row of rows) {
    totals.vmCount++;
    if (row.poweredOn) totals.poweredOnCount++;
    if (row.chargeClass === 'template') totals.templateCount++;
    else if (row.chargeClass === 'srm_placeholder' || row.chargeClass === 'srm_standby') totals.srmPlaceholderCount++;
    else if (row.chargeClass === 'node_charge') totals.nodeChargeVmCount++;
    else addSums(charged, row.sums);
  }
  if (totalSamples === 0) return totals;
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
  return totals;
}
