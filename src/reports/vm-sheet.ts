// The VM sheet: every field of the snapshot or summary row under a readable name with its unit
// (src/core/report-headers.ts, which also says which spec field each is), typed (dates as dates,
// flags as booleans, sizes and shares with number formats), plus the VM's charge class so the
// Totals sheet can be traced back to rows with the autofilter, and its cost when rate cards exist.
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

const base = (snapshotHeader: string): VmColumn<VmRowBase>[] => [
  { header: H.inventoryId, kind: 'id', value: (r) => r.inventoryId },
  { header: H.name, kind: 'text', width: 32, value: (r) => r.name },
  { header: H.vcenter, kind: 'text', width: 24, value: (r) => r.vcenter },
  { header: H.vmId, kind: 'text', width: 14, value: (r) => r.vmId },
  { header: H.vmUuid, kind: 'text', width: 38, value: (r) => r.vmUuid },
  { header: H.instanceUuid, kind: 'text', width: 38, value: (r) => r.instanceUuid },
  { header: H.eventKey, kind: 'text', width: 12, value: (r) => r.eventKey },
  { header: H.cloudId, kind: 'text', width: 14, value: (r) => r.cloudId },
  { header: H.creationTime, kind: 'date', value: (r) => dateCell(r.creationTime) },
  { header: H.deletionTime, kind: 'date', value: (r) => dateCell(r.deletionTime) },
  { header: snapshotHeader, kind: 'date', value: (r) => dateCell(r.snapshotTime) },
  { header: H.resourcePool, kind: 'text', width: 22, value: (r) => r.resourcePool },
  { header: H.tier, kind: 'text', width: 9, value: (r) => tierLabel(r.tier) },
  { header: H.datacenter, kind: 'text', width: 16, value: (r) => r.datacenter },
  { header: H.cluster, kind: 'text', width: 18, value: (r) => r.cluster },
  { header: H.folder, kind: 'text', width: 36, value: (r) => r.folder },
  { header: H.provisionedDisk, kind: 'gb', value: (r) => r.provisionedDisk },
  { header: H.vcpuCount, kind: 'int', value: (r) => r.vcpuCount },
  { header: H.ramGb, kind: 'gb', value: (r) => r.ramGb },
  { header: H.isTemplate, kind: 'bool', value: (r) => r.isTemplate },
  { header: H.poweredOn, kind: 'bool', value: (r) => r.poweredOn },
  { header: H.srmPlaceholder, kind: 'bool', value: (r) => r.srmPlaceholder },
];

const AGGREGATE: VmColumn<SummaryVmRow>[] = [
  { header: S.samplesPresent, kind: 'int', value: (r) => r.samplesPresent },
  { header: S.totalSamples, kind: 'int', value: (r) => r.totalSamples },
  { header: S.avgIsPresent, kind: 'ratio', value: (r) => r.avgIsPresent },
  { header: S.avgVcpuCount, kind: 'decimal', value: (r) => r.avgVcpuCount },
  { header: S.avgRamGb, kind: 'gb', value: (r) => r.avgRamGb },
  { header: S.avgProvisionedDisk, kind: 'gb', value: (r) => r.avgProvisionedDisk },
  { header: S.poolTinPct, kind: 'pct', value: (r) => r.poolTinPct },
  { header: S.poolBronzePct, kind: 'pct', value: (r) => r.poolBronzePct },
  { header: S.poolSilverPct, kind: 'pct', value: (r) => r.poolSilverPct },
  { header: S.poolGoldPct, kind: 'pct', value: (r) => r.poolGoldPct },
  { header: S.tin, kind: 'ratio', value: (r) => r.tin },
  { header: S.bronze, kind: 'ratio', value: (r) => r.bronze },
  { header: S.silver, kind: 'ratio', value: (r) => r.silver },
  { header: S.gold, kind: 'ratio', value: (r) => r.gold },
];

const CHARGE: VmColumn<VmRowBase> = { header: H.chargeClass, kind: 'text', width: 16, value: (_r, c) => CHARGE_CLASS_LABELS[c] };

/** The VM's cost over the period, from the summary's money columns (src/core/cost.ts). */
function costColumns(cost: CostSetting): VmColumn<SummaryVmRow>[] {
  return COST_PARTS.map((part) => ({ header: costHeader(part, cost), kind: 'money', value: (r) => r.cost[part] }));
}

export const HOURLY_VM_COLUMNS: readonly VmColumn<HourlyVmRow>[] = [...base(H.snapshotTime), CHARGE];

/** The VM sheet of a daily or monthly report: cost columns only when rate cards are configured. */
export function summaryVmColumns(cost: CostSetting | null): readonly VmColumn<SummaryVmRow>[] {
  return [...base(S.snapshotTime), ...AGGREGATE, CHARGE, ...(cost === null ? [] : costColumns(cost))];
}

export function vmValues<R>(columns: readonly VmColumn<R>[], row: R, chargeClass: ChargeClass): CellValue[] {
  const out = new Array<CellValue>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = columns[i]!.value(row, chargeClass);
  return out;
}

export type { VmColumn };
