// The VM sheet: every field of the snapshot or summary row under a readable name with its unit
// (src/core/report-headers.ts, which also says which spec field each is), typed (dates as dates,
// flags as booleans, sizes and shares with number formats), plus the VM's charge class so the
// Totals sheet can be traced back to rows with the autofilter, and its cost when rate cards exist.
// The columns a printout needs come first and are the sheet's print area (VmSheetLayout).
import type { ChargeClass } from '../core/charge-rules.js';
import type { Tier } from '../core/tiers.js';
import type { CostSetting } from '../core/report-currency.js';
import { COST_PARTS, costHeader, SUMMARY_FIELD_HEADERS, VM_FIELD_HEADERS } from '../core/report-headers.js';
import type { HourlyVmRow, SummaryVmRow, VmRowBase } from '../core/report-rows.js';
import { type CellValue, type Column, dateCell } from './workbook-stream.js';

export const VM_SHEET = 'VMs';

export const CHARGE_CLASS_LABELS: Record<ChargeClass, string> = {
  chargeable: 'Chargeable',
  node_charge: 'Node-charged',
  srm_placeholder: 'SRM placeholder',
  srm_standby: 'SRM standby',
  template: 'Template',
};

export const tierLabel = (tier: Tier | null): string | null => (tier === null ? null : tier[0]!.toUpperCase() + tier.slice(1));

interface VmColumn<R> extends Column {
  value: (row: R, chargeClass: ChargeClass) => CellValue;
}

const H = VM_FIELD_HEADERS;
const S = SUMMARY_FIELD_HEADERS;

type Base = VmColumn<VmRowBase>;
const c = {
  inventoryId: { header: H.inventoryId, kind: 'id', value: (r) => r.inventoryId },
  name: { header: H.name, kind: 'text', width: 28, value: (r) => r.name },
  vcenter: { header: H.vcenter, kind: 'text', width: 22, value: (r) => r.vcenter },
  cluster: { header: H.cluster, kind: 'text', width: 14, value: (r) => r.cluster },
  tier: { header: H.tier, kind: 'text', width: 8, value: (r) => tierLabel(r.tier) },
  chargeClass: { header: H.chargeClass, kind: 'text', width: 14, value: (_r, charge) => CHARGE_CLASS_LABELS[charge] },
  vcpuCount: { header: H.vcpuCount, kind: 'int', width: 6, value: (r) => r.vcpuCount },
  ramGb: { header: H.ramGb, kind: 'gb', width: 8, value: (r) => r.ramGb },
  provisionedDisk: { header: H.provisionedDisk, kind: 'gb', value: (r) => r.provisionedDisk },
  poweredOn: { header: H.poweredOn, kind: 'bool', value: (r) => r.poweredOn },
  vmId: { header: H.vmId, kind: 'text', width: 11, value: (r) => r.vmId },
  vmUuid: { header: H.vmUuid, kind: 'text', width: 37, value: (r) => r.vmUuid },
  instanceUuid: { header: H.instanceUuid, kind: 'text', width: 37, value: (r) => r.instanceUuid },
  eventKey: { header: H.eventKey, kind: 'text', width: 10, value: (r) => r.eventKey },
  cloudId: { header: H.cloudId, kind: 'text', width: 12, value: (r) => r.cloudId },
  creationTime: { header: H.creationTime, kind: 'date', value: (r) => dateCell(r.creationTime) },
  deletionTime: { header: H.deletionTime, kind: 'date', value: (r) => dateCell(r.deletionTime) },
  resourcePool: { header: H.resourcePool, kind: 'text', width: 16, value: (r) => r.resourcePool },
  datacenter: { header: H.datacenter, kind: 'text', width: 12, value: (r) => r.datacenter },
  folder: { header: H.folder, kind: 'text', width: 28, value: (r) => r.folder },
  isTemplate: { header: H.isTemplate, kind: 'bool', value: (r) => r.isTemplate },
  srmPlaceholder: { header: H.srmPlaceholder, kind: 'bool', value: (r) => r.srmPlaceholder },
} satisfies Record<string, Base>;

const snapshot = (header: string): Base => ({ header, kind: 'date', value: (r) => dateCell(r.snapshotTime) });

/** The VM's identifiers, lifecycle times and placement details: in the sheet, not printed. */
const details = (snapshotHeader: string): Base[] => [
  c.vmId, c.vmUuid, c.instanceUuid, c.eventKey, c.cloudId, c.creationTime, c.deletionTime, snapshot(snapshotHeader),
  c.datacenter, c.resourcePool, c.folder, c.isTemplate, c.srmPlaceholder,
];

const AVERAGES: VmColumn<SummaryVmRow>[] = [
  { header: S.avgIsPresent, kind: 'ratio', value: (r) => r.avgIsPresent },
  { header: S.avgVcpuCount, kind: 'decimal', value: (r) => r.avgVcpuCount },
  { header: S.avgRamGb, kind: 'gb', value: (r) => r.avgRamGb },
  { header: S.avgProvisionedDisk, kind: 'gb', value: (r) => r.avgProvisionedDisk },
];

const SAMPLES: VmColumn<SummaryVmRow>[] = [
  { header: S.samplesPresent, kind: 'int', value: (r) => r.samplesPresent },
  { header: S.totalSamples, kind: 'int', value: (r) => r.totalSamples },
  { header: S.poolTinPct, kind: 'pct', value: (r) => r.poolTinPct },
  { header: S.poolBronzePct, kind: 'pct', value: (r) => r.poolBronzePct },
  { header: S.poolSilverPct, kind: 'pct', value: (r) => r.poolSilverPct },
  { header: S.poolGoldPct, kind: 'pct', value: (r) => r.poolGoldPct },
  { header: S.tin, kind: 'ratio', value: (r) => r.tin },
  { header: S.bronze, kind: 'ratio', value: (r) => r.bronze },
  { header: S.silver, kind: 'ratio', value: (r) => r.silver },
  { header: S.gold, kind: 'ratio', value: (r) => r.gold },
];

/** The VM's cost over the period, from the summary's money columns (src/core/cost.ts). */
function costColumns(cost: CostSetting): VmColumn<SummaryVmRow>[] {
  return COST_PARTS.map((part) => ({ header: costHeader(part, cost), kind: 'money', width: 11, value: (r) => r.cost[part] }));
}

/**
 * The VM sheet's columns; the first `printed` are what a printout shows (the VM, where it ran, its
 * sizes or averages and cost), one landscape page wide at a size that can be read. The identifiers,
 * times and placement details after them are in the sheet (and its CSV) but not printed: all of a
 * VM's 40-odd fields on one page width would print at a fifth of their size.
 */
export interface VmSheetLayout<R> {
  columns: readonly VmColumn<R>[];
  printed: number;
}

function layout<R>(printed: readonly VmColumn<R>[], rest: readonly VmColumn<R>[]): VmSheetLayout<R> {
  return { columns: [...printed, ...rest], printed: printed.length };
}

export const HOURLY_VM_SHEET: VmSheetLayout<HourlyVmRow> = layout(
  [c.inventoryId, c.name, c.vcenter, c.cluster, c.tier, c.chargeClass, c.vcpuCount, c.ramGb, c.provisionedDisk, c.poweredOn],
  details(H.snapshotTime),
);

/** The VM sheet of a daily or monthly report: cost columns only when rate cards are configured. */
export function summaryVmSheet(cost: CostSetting | null): VmSheetLayout<SummaryVmRow> {
  return layout<SummaryVmRow>(
    [c.inventoryId, c.name, c.vcenter, c.cluster, c.tier, c.chargeClass, ...AVERAGES, ...(cost === null ? [] : costColumns(cost))],
    [c.vcpuCount, c.ramGb, c.provisionedDisk, c.poweredOn, ...SAMPLES, ...details(S.snapshotTime)],
  );
}

export function vmValues<R>(columns: readonly VmColumn<R>[], row: R, chargeClass: ChargeClass): CellValue[] {
  const out = new Array<CellValue>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = columns[i]!.value(row, chargeClass);
  return out;
}

export type { VmColumn };
