// Per-vCenter totals of one snapshot (vcenter_latest_totals and the hourly rows of
// vcenter_aggregate_totals). Sizes and tier counts cover chargeable VMs only; templates, SRM
// placeholders/standbys and node-charged VMs are counted apart (see charge-rules.ts).
import type { ChargeClass } from './charge-rules.js';
import type { SpanState } from './span-state.js';
import { DISK_UNITS_PER_GB, diskCentiGb, RAM_UNITS_PER_GB, ramMb } from './units.js';

export interface VcenterTotals {
  vmCount: number;
  poweredOnCount: number;
  templateCount: number;
  srmPlaceholderCount: number;
  nodeChargeVmCount: number;
  chargeableVmCount: number;
  vcpuTotal: number;
  ramGbTotal: number;
  diskGbTotal: number;
  tinVmCount: number;
  bronzeVmCount: number;
  silverVmCount: number;
  goldVmCount: number;
  untieredVmCount: number;
}

export function emptyTotals(): VcenterTotals {
  return {
    vmCount: 0,
    poweredOnCount: 0,
    templateCount: 0,
    srmPlaceholderCount: 0,
    nodeChargeVmCount: 0,
    chargeableVmCount: 0,
    vcpuTotal: 0,
    ramGbTotal: 0,
    diskGbTotal: 0,
    tinVmCount: 0,
    bronzeVmCount: 0,
    silverVmCount: 0,
    goldVmCount: 0,
    untieredVmCount: 0,
  };
}

export function snapshotTotals(vms: Iterable<{ state: SpanState; chargeClass: ChargeClass }>): VcenterTotals {
  const totals = emptyTotals();
  // Integer MiB and 0.01 GiB, divided once at the end (units.ts): the same numbers whether summed
  // here at capture or rebuilt from spans by `vctp backfill`, in whatever order.
  let ramMbTotal = 0;
  let diskCentiGbTotal = 0;
  for (const { state, chargeClass } of vms) {
    totals.vmCount++;
    if (state.poweredOn) totals.poweredOnCount++;
    switch (chargeClass) {
      case 'template':
        totals.templateCount++;
        continue;
      case 'srm_placeholder':
      case 'srm_standby':
        totals.srmPlaceholderCount++;
        continue;
      case 'node_charge':
        totals.nodeChargeVmCount++;
        continue;
      case 'chargeable':
        break;
    }
    totals.chargeableVmCount++;
    totals.vcpuTotal += state.vcpuCount;
    ramMbTotal += ramMb(state.ramGb);
    diskCentiGbTotal += diskCentiGb(state.provisionedDiskGb);
    switch (state.placement.tier) {
      case 'tin':
        totals.tinVmCount++;
        break;
      case 'bronze':
        totals.bronzeVmCount++;
        break;
      case 'silver':
        totals.silverVmCount++;
        break;
      case 'gold':
        totals.goldVmCount++;
        break;
      case null:
        totals.untieredVmCount++;
        break;
    }
  }
  totals.ramGbTotal = ramMbTotal / RAM_UNITS_PER_GB;
  totals.diskGbTotal = diskCentiGbTotal / DISK_UNITS_PER_GB;
  return totals;
}
