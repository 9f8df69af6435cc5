// Rows of the "totals over time" sheets: the 24 hourly intervals of a daily report and the days of
// a monthly report. Both show the same columns: VMs (every VM counted in the interval), the
// prorated chargeable VMs and their vCPU, RAM and disk, the prorated VMs per tier, and the VMs
// counted apart (node-charged, SRM, templates) as plain counts, as vcenter_aggregate_totals does.
import { daysText } from './report-period-text.js';
import type { TotalsByGroup } from './report-totals.js';
import type { VcenterTotals } from './totals.js';

export interface IntervalValues {
  vmCount: number;
  proratedVmCount: number;
  vcpu: number;
  ramGb: number;
  diskGb: number;
  tin: number;
  bronze: number;
  silver: number;
  gold: number;
  untiered: number;
  nodeChargeVms: number;
  srmVms: number;
  templates: number;
}

export function emptyIntervalValues(): IntervalValues {
  return { vmCount: 0, proratedVmCount: 0, vcpu: 0, ramGb: 0, diskGb: 0, tin: 0, bronze: 0, silver: 0, gold: 0, untiered: 0, nodeChargeVms: 0, srmVms: 0, templates: 0 };
}

export function intervalValuesFromGroups(t: TotalsByGroup): IntervalValues {
  return {
    vmCount: t.all.vmCount,
    proratedVmCount: t.chargeable.proratedVmCount,
    vcpu: t.chargeable.vcpu,
    ramGb: t.chargeable.ramGb,
    diskGb: t.chargeable.diskGb,
    tin: t.tin.proratedVmCount,
    bronze: t.bronze.proratedVmCount,
    silver: t.silver.proratedVmCount,
    gold: t.gold.proratedVmCount,
    untiered: t.untiered.proratedVmCount,
    nodeChargeVms: t.node_charge.vmCount,
    srmVms: t.srm.vmCount,
    templates: t.template.vmCount,
  };
}

/** A daily (or hourly) row of vcenter_aggregate_totals. */
export function intervalValuesFromTotals(t: VcenterTotals): IntervalValues {
  return {
    vmCount: t.vmCount,
    proratedVmCount: t.chargeableVmCount,
    vcpu: t.vcpuTotal,
    ramGb: t.ramGbTotal,
    diskGb: t.diskGbTotal,
    tin: t.tinVmCount,
    bronze: t.bronzeVmCount,
    silver: t.silverVmCount,
    gold: t.goldVmCount,
    untiered: t.untieredVmCount,
    nodeChargeVms: t.nodeChargeVmCount,
    srmVms: t.srmPlaceholderCount,
    templates: t.templateCount,
  };
}

export function addIntervalValues(a: IntervalValues, b: IntervalValues): void {
  for (const key of Object.keys(a) as (keyof IntervalValues)[]) a[key] += b[key];
}

const DAY = 86_400;

/** A day of a monthly report as people write it, `2026-04-21` (its From and To columns give the exact UTC bounds). */
export function dayIntervalLabel(dayStart: number): string {
  return daysText(dayStart, dayStart + DAY);
}

/** `HH:00 to HH+1:00` (24:00 for the last): an hour of a daily report, [start, end). */
export function hourIntervalLabel(hourStart: number): string {
  const h = new Date(hourStart * 1000).getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(h)}:00 to ${pad(h + 1)}:00`;
}
