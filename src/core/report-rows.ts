// The VM rows reports are made of, as the store reads them: the spec's "Hourly Snapshot Fields"
// and its "Daily/Monthly Aggregate Fields" (one summary row per VM and period).
import type { Money } from './cost.js';
import type { Tier } from './tiers.js';
import type { SummaryValues } from './summary-values.js';

/** Columns of a VM row every kind shares: the spec's "Hourly Snapshot Fields". */
export interface VmRowBase {
  inventoryId: number;
  name: string;
  vcenter: string;
  vmId: string;
  vmUuid: string | null;
  instanceUuid: string | null;
  eventKey: string | null;
  cloudId: string | null;
  creationTime: number;
  deletionTime: number;
  snapshotTime: number;
  resourcePool: string | null;
  tier: Tier | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
  provisionedDisk: number;
  vcpuCount: number;
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
}


export type HourlyVmRow = VmRowBase;

/** A daily or monthly summary row as the VM sheet shows it: the base fields of its latest sample, plus the spec's aggregate fields. */
export interface SummaryVmRow extends VmRowBase, SummaryValues {
  samplesPresent: number;
  totalSamples: number;
  /** The VM's cost over the period (the summary's cost_vcpu .. cost_total; 0 without rate cards). */
  cost: Money;
}

/**
 * What the totals, Summary tables and the Cost and Allocation sheets need of a summary row: its
 * charge facts, sample sums and averages, cost, and where it was at its latest sample (placement
 * and attribute set, by id: both are small dictionaries read once).
 */
export interface SummaryTotalsRow {
  inventoryId: number;
  name: string;
  vmId: string;
  placementId: number;
  attributesId: number;
  cluster: string | null;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
  samplesPresent: number;
  sumVcpu: number;
  sumRamMb: number;
  sumDiskCentiGb: number;
  tinHits: number;
  bronzeHits: number;
  silverHits: number;
  goldHits: number;
  avgIsPresent: number;
  avgVcpuCount: number;
  avgRamGb: number;
  avgProvisionedDisk: number;
  money: Money;
}
