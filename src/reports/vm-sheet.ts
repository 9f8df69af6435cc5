// The VM sheet: every field of the snapshot or summary row, named as the spec names them, typed
// (dates as dates, flags as booleans, sizes and shares with number formats), plus the VM's charge
// class so the Totals sheet can be traced back to rows with the autofilter.
import type { ChargeClass } from '../core/charge-rules.js';
import type { Tier } from '../core/tiers.js';
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

const BASE: VmColumn<VmRowBase>[] = [
  { header: 'InventoryId', kind: 'id', value: (r) => r.inventoryId },
  { header: 'Name', kind: 'text', width: 32, value: (r) => r.name },
  { header: 'Vcenter', kind: 'text', width: 24, value: (r) => r.vcenter },
  { header: 'VmId', kind: 'text', width: 12, value: (r) => r.vmId },
  { header: 'VmUuid', kind: 'text', width: 38, value: (r) => r.vmUuid },
  { header: 'InstanceUuid', kind: 'text', width: 38, value: (r) => r.instanceUuid },
  { header: 'EventKey', kind: 'text', width: 12, value: (r) => r.eventKey },
  { header: 'CloudId', kind: 'text', width: 14, value: (r) => r.cloudId },
  { header: 'CreationTime', kind: 'date', value: (r) => dateCell(r.creationTime) },
  { header: 'DeletionTime', kind: 'date', value: (r) => dateCell(r.deletionTime) },
  { header: 'SnapshotTime', kind: 'date', value: (r) => dateCell(r.snapshotTime) },
  { header: 'ResourcePool', kind: 'text', width: 22, value: (r) => r.resourcePool },
  { header: 'Tier', kind: 'text', width: 9, value: (r) => tierLabel(r.tier) },
  { header: 'Datacenter', kind: 'text', width: 16, value: (r) => r.datacenter },
  { header: 'Cluster', kind: 'text', width: 18, value: (r) => r.cluster },
  { header: 'Folder', kind: 'text', width: 36, value: (r) => r.folder },
  { header: 'ProvisionedDisk', kind: 'gb', value: (r) => r.provisionedDisk },
  { header: 'VcpuCount', kind: 'int', value: (r) => r.vcpuCount },
  { header: 'RamGB', kind: 'gb', value: (r) => r.ramGb },
  { header: 'IsTemplate', kind: 'bool', value: (r) => r.isTemplate },
  { header: 'PoweredOn', kind: 'bool', value: (r) => r.poweredOn },
  { header: 'SrmPlaceholder', kind: 'bool', value: (r) => r.srmPlaceholder },
];

const AGGREGATE: VmColumn<SummaryVmRow>[] = [
  { header: 'SamplesPresent', kind: 'int', value: (r) => r.samplesPresent },
  { header: 'TotalSamples', kind: 'int', value: (r) => r.totalSamples },
  { header: 'AvgIsPresent', kind: 'ratio', value: (r) => r.avgIsPresent },
  { header: 'AvgVcpuCount', kind: 'decimal', value: (r) => r.avgVcpuCount },
  { header: 'AvgRamGB', kind: 'gb', value: (r) => r.avgRamGb },
  { header: 'AvgProvisionedDisk', kind: 'gb', value: (r) => r.avgProvisionedDisk },
  { header: 'PoolTinPct', kind: 'pct', value: (r) => r.poolTinPct },
  { header: 'PoolBronzePct', kind: 'pct', value: (r) => r.poolBronzePct },
  { header: 'PoolSilverPct', kind: 'pct', value: (r) => r.poolSilverPct },
  { header: 'PoolGoldPct', kind: 'pct', value: (r) => r.poolGoldPct },
  { header: 'Tin', kind: 'ratio', value: (r) => r.tin },
  { header: 'Bronze', kind: 'ratio', value: (r) => r.bronze },
  { header: 'Silver', kind: 'ratio', value: (r) => r.silver },
  { header: 'Gold', kind: 'ratio', value: (r) => r.gold },
];

const CHARGE: VmColumn<VmRowBase> = { header: 'ChargeClass', kind: 'text', width: 16, value: (_r, c) => CHARGE_CLASS_LABELS[c] };

export const HOURLY_VM_COLUMNS: readonly VmColumn<HourlyVmRow>[] = [...BASE, CHARGE];
export const SUMMARY_VM_COLUMNS: readonly VmColumn<SummaryVmRow>[] = [...BASE, ...AGGREGATE, CHARGE];

export function vmValues<R>(columns: readonly VmColumn<R>[], row: R, chargeClass: ChargeClass): CellValue[] {
  const out = new Array<CellValue>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = columns[i]!.value(row, chargeClass);
  return out;
}

export type { VmColumn };
