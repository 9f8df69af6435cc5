// Cost dimensions (settings.cost_dimensions): where a VM's value for a configured dimension comes
// from. `custom_attribute:<Name>` and `tag:<Category>` read the VM's attribute set (the keys of
// src/core/vm-attributes.ts); `folder_level: N` the Nth folder below the datacenter's VM folder.

/** Dimensions every VM has, by the name allocation and reports use. */
export const BUILT_IN_DIMENSIONS = ['vcenter', 'datacenter', 'cluster', 'folder', 'pool', 'tier', 'vm'] as const;
export type BuiltInDimension = (typeof BUILT_IN_DIMENSIONS)[number];

/** The fields of an allocation row beside its dimensions: a dimension may not take their names. */
export const ALLOCATION_ROW_FIELDS = ['vms', 'prorated_vms', 'avg_vcpu', 'avg_ram_gb', 'avg_disk_gb', 'cost', 'vm_id', 'currency'] as const;

export type DimensionSource =
  | { kind: 'custom_attribute'; key: string }
  | { kind: 'tag'; key: string }
  | { kind: 'folder_level'; level: number };

export interface CostDimension {
  name: string;
  /** As written in the settings, for messages. */
  from: string;
  source: DimensionSource;
  /** The value of a VM that has none. */
  fallback: string;
}

export const DEFAULT_DIMENSION_VALUE = 'unassigned';

/** `custom_attribute:Tenant`, `tag:CostCentre`, `folder_level: 2` (or `folder_level:2`); null if none of those. */
export function parseDimensionSource(from: string): DimensionSource | null {
  const folder = /^folder_level:\s*([1-9][0-9]{0,2})$/.exec(from.trim());
  if (folder) return { kind: 'folder_level', level: Number(folder[1]) };
  const attribute = /^(custom_attribute|tag):(.+)$/s.exec(from);
  if (!attribute || attribute[2]!.trim() === '') return null;
  // The attribute set's key is the `from` text itself (src/core/vm-attributes.ts).
  return { kind: attribute[1] as 'custom_attribute' | 'tag', key: `${attribute[1]}:${attribute[2]}` };
}

/**
 * The folder at `level` of a stored folder path (`/DC0/vm/BU-A/Team-1`: level 1 is `BU-A`): the
 * path's first two segments are the datacenter and its VM folder.
 */
export function folderAtLevel(folder: string | null, level: number): string | null {
  if (folder === null) return null;
  const segments = folder.split('/').filter((s) => s !== '');
  return segments[level + 1] ?? null;
}

/** A VM's value for a configured dimension, from its attribute values and folder. */
export function dimensionValue(dimension: CostDimension, attributes: Readonly<Record<string, string>>, folder: string | null): string {
  const { source } = dimension;
  const value = source.kind === 'folder_level' ? folderAtLevel(folder, source.level) : attributes[source.key];
  return value === undefined || value === null || value.trim() === '' ? dimension.fallback : value;
}

/** The configured dimensions (validated settings: every `from` parses). */
export function costDimensionsFromSettings(entries: readonly { name: string; from: string; default: string }[]): CostDimension[] {
  return entries.map((entry) => ({
    name: entry.name,
    from: entry.from,
    source: parseDimensionSource(entry.from)!,
    fallback: entry.default,
  }));
}
