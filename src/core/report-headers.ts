// Column names people read: the workbooks' headers and the CSV exports' (`vctp allocation --csv`)
// are these same texts, with the unit in brackets, so a column reads the same wherever it is
// printed. The spec's field names (AvgVcpuCount, RamGB, ...) stay in the database, the JSON output
// and README "Hourly snapshot fields"; SPEC_FIELD_NAMES says which column is which field.
//
// Sizes: RAM and disk are binary gigabytes (GiB: vCenter's MiB / 1024, disk in 0.01 GiB units). An
// "Average" of a VM is its time-weighted average over the period (missed snapshots do not lower
// it); the "Average" of a group (a tier, a cluster, a tenant) is the sum of its VMs' averages: the
// vCPUs, GiB of RAM and GiB of disk the group held on average over the period, which is what it is
// charged for.
import type { CostSetting } from './report-currency.js';

/** A VM's own fields, in the order of the VM sheet. */
export const VM_FIELD_HEADERS = {
  inventoryId: 'Inventory ID',
  name: 'VM name',
  vcenter: 'vCenter',
  vmId: 'VM ID (MoRef)',
  vmUuid: 'VM UUID',
  instanceUuid: 'Instance UUID',
  eventKey: 'Creation event key',
  cloudId: 'Cloud ID',
  creationTime: 'Created (UTC)',
  deletionTime: 'Deleted (UTC)',
  snapshotTime: 'Snapshot (UTC)',
  resourcePool: 'Resource pool',
  tier: 'Tier',
  datacenter: 'Datacenter',
  cluster: 'Cluster',
  folder: 'Folder',
  provisionedDisk: 'Provisioned disk (GiB)',
  vcpuCount: 'vCPU',
  ramGb: 'RAM (GiB)',
  isTemplate: 'Template',
  poweredOn: 'Powered on',
  srmPlaceholder: 'SRM placeholder',
  chargeClass: 'Charge class',
} as const;

/** A VM's summary fields over a day or a month. */
export const SUMMARY_FIELD_HEADERS = {
  /** The summary's sizes and placement are those of the VM's latest sample in the period. */
  snapshotTime: 'Latest sample (UTC)',
  samplesPresent: 'Samples present',
  totalSamples: 'Samples in period',
  avgIsPresent: 'Presence (share of period)',
  avgVcpuCount: 'Average vCPU',
  avgRamGb: 'Average RAM (GiB)',
  avgProvisionedDisk: 'Average provisioned disk (GiB)',
  poolTinPct: 'Tin (% of presence)',
  poolBronzePct: 'Bronze (% of presence)',
  poolSilverPct: 'Silver (% of presence)',
  poolGoldPct: 'Gold (% of presence)',
  tin: 'Tin (prorated VMs)',
  bronze: 'Bronze (prorated VMs)',
  silver: 'Silver (prorated VMs)',
  gold: 'Gold (prorated VMs)',
} as const;

/** A group's figures: the Totals, interval, Cost and Allocation sheets, and `vctp allocation --csv`. */
export const GROUP_HEADERS = {
  vms: 'VMs',
  proratedVms: 'Prorated VMs',
  avgVcpu: 'Average vCPU',
  avgRamGb: 'Average RAM (GiB)',
  avgDiskGb: 'Average provisioned disk (GiB)',
} as const;

/** The spec's names of the columns whose header differs from them (for the front sheet's notes). */
export const SPEC_FIELD_NAMES: readonly (readonly [header: string, field: string])[] = [
  [VM_FIELD_HEADERS.inventoryId, 'InventoryId'],
  [VM_FIELD_HEADERS.provisionedDisk, 'ProvisionedDisk'],
  [VM_FIELD_HEADERS.vcpuCount, 'VcpuCount'],
  [VM_FIELD_HEADERS.ramGb, 'RamGB'],
  [SUMMARY_FIELD_HEADERS.avgIsPresent, 'AvgIsPresent'],
  [SUMMARY_FIELD_HEADERS.avgVcpuCount, 'AvgVcpuCount'],
  [SUMMARY_FIELD_HEADERS.avgRamGb, 'AvgRamGB'],
  [SUMMARY_FIELD_HEADERS.avgProvisionedDisk, 'AvgProvisionedDisk'],
  [SUMMARY_FIELD_HEADERS.poolTinPct, 'PoolTinPct (and Bronze, Silver, Gold)'],
  [SUMMARY_FIELD_HEADERS.tin, 'Tin (and Bronze, Silver, Gold)'],
];

export const COST_PARTS = ['vcpu', 'ram', 'disk', 'vm', 'total'] as const;
export type CostPart = (typeof COST_PARTS)[number];

const COST_NAMES: Record<CostPart, string> = {
  vcpu: 'Cost vCPU',
  ram: 'Cost RAM',
  disk: 'Cost disk',
  vm: 'Cost per VM',
  total: 'Cost total',
};

/** `Cost total (EUR)`: a cost column with its currency. */
export function costHeader(part: CostPart, cost: CostSetting): string {
  return `${COST_NAMES[part]} (${cost.currency})`;
}
