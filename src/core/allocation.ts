// Allocation rows (README "Allocation"): the VMs of a window grouped by any dimensions, built-in
// (vcenter, datacenter, cluster, folder, pool, tier, vm) or configured (settings.cost_dimensions).
// A VM's dimension values are those of its latest sample in the window, as every vctp figure
// places a VM "as of the period's end"; its cost inside is still priced sample by sample. A VM with
// no value for a dimension is counted under the dimension's default (`unassigned`; tier `none`),
// never dropped, so the rows always add up to the total.
import { BUILT_IN_DIMENSIONS, DEFAULT_DIMENSION_VALUE, dimensionValue, type BuiltInDimension, type CostDimension } from './cost-dimensions.js';
import { addMoney, type Money } from './cost.js';
import { VctpError } from './errors.js';
import type { Tier } from './tiers.js';

/** Where a VM was at its latest sample of the window. */
export interface AllocationPlacement {
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
  resourcePool: string | null;
  tier: Tier | null;
}

/** One VM's figures over the window. */
export interface AllocationVm {
  vcenter: string;
  vmId: string;
  /** vm_lifecycle.id: tells apart VMs that share a vCenter and a managed object id over time. */
  lifecycleId: number;
  /** Its latest name in the window. */
  name: string;
  placement: AllocationPlacement;
  /** Its custom attributes and tags (src/core/vm-attributes.ts keys), at its latest sample. */
  attributes: Readonly<Record<string, string>>;
  /** Samples present / the window's samples (AvgIsPresent). */
  proratedVms: number;
  avgVcpu: number;
  avgRamGb: number;
  avgDiskGb: number;
  money: Money;
}

export type AllocationDimension = { kind: 'built-in'; name: BuiltInDimension } | { kind: 'configured'; name: string; dimension: CostDimension };

/** The figures of a row, and of the total. */
export interface AllocationFigures {
  vms: number;
  prorated_vms: number;
  avg_vcpu: number;
  avg_ram_gb: number;
  avg_disk_gb: number;
  cost: Money;
}

/** A row: each dimension by its name (vm rows also `vm_id` and `vcenter`), then the figures. */
export type AllocationRow = Record<string, string> & AllocationFigures;

/** Names a row's figures use, which no dimension may take (they would overwrite each other). */
export const FIGURE_FIELDS = ['vms', 'prorated_vms', 'avg_vcpu', 'avg_ram_gb', 'avg_disk_gb', 'cost', 'vm_id'] as const;

/** The value a built-in dimension takes for a VM that has none. */
export const NO_TIER_VALUE = 'none';

/**
 * `--by tenant,tier` as dimensions. Unknown names are a usage error listing the valid ones;
 * `flag` names the input (--by, query.by).
 */
export function parseDimensions(text: string, configured: readonly CostDimension[], flag = '--by'): AllocationDimension[] {
  const valid = [...BUILT_IN_DIMENSIONS, ...configured.map((d) => d.name)];
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new VctpError('usage', `${flag}: expected one or more dimensions separated by commas: ${valid.join(', ')}`);
  const seen = new Set<string>();
  return names.map((name) => {
    if (seen.has(name)) throw new VctpError('usage', `${flag} ${text}: ${name} is given twice`);
    seen.add(name);
    if ((BUILT_IN_DIMENSIONS as readonly string[]).includes(name)) return { kind: 'built-in', name: name as BuiltInDimension };
    const dimension = configured.find((d) => d.name === name);
    if (!dimension) {
      const hint = configured.length === 0 ? ' (configure more in settings.cost_dimensions)' : '';
      throw new VctpError('usage', `${flag} ${text}: unknown dimension ${name}; expected ${valid.join(', ')}${hint}`);
    }
    if ((FIGURE_FIELDS as readonly string[]).includes(name)) {
      throw new VctpError('config', `settings.cost_dimensions: the dimension ${name} has the name of an allocation field (${FIGURE_FIELDS.join(', ')}); rename it`);
    }
    return { kind: 'configured', name, dimension };
  });
}

/** A VM's value for a dimension (never empty: the default when it has none). */
export function vmDimensionValue(vm: AllocationVm, dimension: AllocationDimension): string {
  if (dimension.kind === 'configured') return dimensionValue(dimension.dimension, vm.attributes, vm.placement.folder);
  const or = (value: string | null) => (value === null || value.trim() === '' ? DEFAULT_DIMENSION_VALUE : value);
  switch (dimension.name) {
    case 'vcenter':
      return vm.vcenter;
    case 'datacenter':
      return or(vm.placement.datacenter);
    case 'cluster':
      return or(vm.placement.cluster);
    case 'folder':
      return or(vm.placement.folder);
    case 'pool':
      return or(vm.placement.resourcePool);
    case 'tier':
      return vm.placement.tier ?? NO_TIER_VALUE;
    case 'vm':
      return vm.name;
  }
}

export function emptyFigures(): AllocationFigures {
  return { vms: 0, prorated_vms: 0, avg_vcpu: 0, avg_ram_gb: 0, avg_disk_gb: 0, cost: { vcpu: 0, ram: 0, disk: 0, vm: 0, total: 0 } };
}

/** Adds one VM: every figure is a plain left-to-right sum over the VMs in the order given. */
export function addVm(figures: AllocationFigures, vm: AllocationVm): void {
  figures.vms += 1;
  figures.prorated_vms += vm.proratedVms;
  figures.avg_vcpu += vm.avgVcpu;
  figures.avg_ram_gb += vm.avgRamGb;
  figures.avg_disk_gb += vm.avgDiskGb;
  addMoney(figures.cost, vm.money);
}

export interface Allocation {
  rows: AllocationRow[];
  total: AllocationFigures;
}

/**
 * Groups the VMs (in the order the monthly report sums them: by vCenter, then inventory id) into
 * rows. Rows are sorted by cost (highest first), then by their dimension values. The total is the
 * sum over every VM in that same order, so it equals the report's sum of its VM rows.
 */
export function groupAllocation(vms: readonly AllocationVm[], dimensions: readonly AllocationDimension[]): Allocation {
  const groups = new Map<string, { row: AllocationRow; sortKey: string[] }>();
  const total = emptyFigures();
  const byVm = dimensions.some((d) => d.name === 'vm');
  for (const vm of vms) {
    const values = dimensions.map((d) => vmDimensionValue(vm, d));
    // A VM is its vCenter and inventory id; its name is not unique. (A joined key, not JSON: this
    // runs once per VM, tens of thousands of times.)
    const key = byVm ? `${values.join(KEY_SEPARATOR)}${KEY_SEPARATOR}${vm.vcenter}${KEY_SEPARATOR}${vm.lifecycleId}` : values.join(KEY_SEPARATOR);
    let group = groups.get(key);
    if (!group) {
      const row = {} as Record<string, unknown>;
      dimensions.forEach((d, i) => (row[d.name] = values[i]));
      const sortKey = [...values];
      if (byVm) {
        row.vm_id = vm.vmId;
        row.vcenter = vm.vcenter;
        sortKey.push(vm.vcenter, vm.vmId);
      }
      Object.assign(row, emptyFigures());
      group = { row: row as AllocationRow, sortKey };
      groups.set(key, group);
    }
    addVm(group.row, vm);
    addVm(total, vm);
  }
  const sorted = [...groups.values()].sort((a, b) => b.row.cost.total - a.row.cost.total || compareKeys(a.sortKey, b.sortKey));
  return { rows: sorted.map((g) => g.row), total };
}

/** Between the values of a group's key: a character no name or attribute value holds. */
const KEY_SEPARATOR = '\u0000';

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
