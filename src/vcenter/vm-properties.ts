// Which VirtualMachine properties one capture reads, and how one ObjectContent becomes the
// VM's own facts (placement is resolved separately, from references to the entity tree).
import type { ObjectContent } from './property-collector.js';
import { asArray, asBoolean, asMoRef, asNumber, asObject, asString, dateTimeToUnix, type VimValue } from './vim-values.js';

/**
 * vCloud Director's VM identity. vCD writes its own VM uuid into the VM's advanced settings as
 * `cloud.uuid` (vSphere `config.extraConfig`), for every vCD version, and keeps it when the VM is
 * renamed or its moref changes; PowerCLI scripts that map vCenter VMs to vCD read exactly this
 * key. Fetching all of extraConfig for every VM would cost dozens of OptionValues per VM, so we
 * ask the PropertyCollector for the one key with a keyed path (supported by vCenter; it returns
 * the OptionValue, or puts the path in missingSet when the VM has no such key). Simulators that
 * do not understand keyed paths report it missing, which reads as "no cloud id".
 */
export const CLOUD_UUID_PATH = 'config.extraConfig["cloud.uuid"]';

/**
 * Fallback for vCD before 9.5, which also registered itself as the VM's manager
 * (config.managedBy.extensionKey 'com.vmware.vcloud') and named VMs "<name> (<vcd-vm-uuid>)".
 * vCD 9.5+ dropped both, so cloud.uuid above is the primary source.
 */
const VCLOUD_EXTENSION = 'com.vmware.vcloud';
const NAME_UUID_SUFFIX = / \(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)$/i;

/** SRM marks the placeholder VMs it creates at the recovery site this way. */
const SRM_EXTENSION = 'com.vmware.vcDr';
const SRM_PLACEHOLDER_TYPE = 'placeholderVm';

export const VM_PATHS: readonly string[] = [
  'name',
  'config.uuid',
  'config.instanceUuid',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.template',
  'config.createDate',
  'config.managedBy',
  'runtime.powerState',
  'runtime.host',
  'resourcePool',
  'parent',
  'parentVApp',
  'summary.storage.committed',
  'summary.storage.uncommitted',
];

/**
 * Custom attributes as (field key, value); the names come once from the CustomFieldsManager
 * (custom-fields.ts). Asked for only when the vCenter defines a field a VM can have.
 */
export const CUSTOM_VALUE_PATH = 'customValue';

/** What the VM object itself says, with references (moref values) still unresolved. */
export interface VmFacts {
  vmId: string;
  name: string;
  vmUuid: string | null;
  instanceUuid: string | null;
  cloudId: string | null;
  vcpuCount: number;
  ramGb: number;
  provisionedDiskGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
  /** config.createDate in unix seconds; null when vCenter has none. */
  createDate: number | null;
  parent: string | null;
  parentVApp: string | null;
  resourcePool: string | null;
  host: string | null;
  /**
   * customValue as (field key, value) pairs in the server's order; null when the VM has none. Empty
   * values are kept: a later pair for the same key replaces an earlier one (the attribute set
   * leaves empty values out).
   */
  customValues: [number, string][] | null;
}

const GIB = 2 ** 30;

/**
 * A private copy of a string. V8 makes short strings as slices of the ~16 KB response chunk they
 * were parsed from, so keeping the uuids of 40,000 records kept the whole response alive (a heap
 * snapshot: 107 of 131 MB); copying took the peak RSS of a 40,000-VM capture from 313 to 183 MB.
 */
function own<T extends string | null>(s: T): T {
  return (s === null ? null : Buffer.from(s, 'utf8').toString('utf8')) as T;
}

/**
 * Owned copies of strings that repeat across VMs (custom attribute values: a handful of tenants over
 * thousands of VMs), each copied once per collection. The map's keys are the owned copies, so it
 * pins no response chunk either.
 */
export class OwnedStrings {
  private readonly kept = new Map<string, string>();

  own(s: string): string {
    let copy = this.kept.get(s);
    if (copy === undefined) {
      copy = own(s);
      this.kept.set(copy, copy);
    }
    return copy;
  }
}

export function vmFacts(content: ObjectContent, strings: OwnedStrings = new OwnedStrings()): VmFacts {
  const p = content.props;
  const managedBy = asObject(p['config.managedBy']);
  const extensionKey = asString(managedBy?.['extensionKey']);
  const name = decodeEntityName(asString(p['name']) ?? content.obj.value);
  const createDate = dateTimeToUnix(p['config.createDate']);
  const committed = asNumber(p['summary.storage.committed']) ?? 0;
  const uncommitted = asNumber(p['summary.storage.uncommitted']) ?? 0;
  return {
    vmId: own(content.obj.value),
    name: own(name),
    vmUuid: own(nonEmpty(asString(p['config.uuid']))),
    instanceUuid: own(nonEmpty(asString(p['config.instanceUuid']))),
    cloudId: own(cloudIdOf(p[CLOUD_UUID_PATH], extensionKey, name)),
    vcpuCount: asNumber(p['config.hardware.numCPU']) ?? 0,
    ramGb: (asNumber(p['config.hardware.memoryMB']) ?? 0) / 1024,
    // Provisioned = committed + uncommitted (what the datastore holds plus what thin disks may
    // still grow into); not the sum of disk device capacities. Rounded to 0.01 GiB so that a
    // growing log file does not change the value, and so open a new span, every hour.
    provisionedDiskGb: Math.round(((committed + uncommitted) / GIB) * 100) / 100,
    isTemplate: asBoolean(p['config.template']) ?? false,
    poweredOn: p['runtime.powerState'] === 'poweredOn',
    srmPlaceholder: extensionKey === SRM_EXTENSION && asString(managedBy?.['type']) === SRM_PLACEHOLDER_TYPE,
    createDate: createDate !== null && createDate > 0 ? createDate : null,
    parent: own(asMoRef(p['parent'])?.value ?? null),
    parentVApp: own(asMoRef(p['parentVApp'])?.value ?? null),
    resourcePool: own(asMoRef(p['resourcePool'])?.value ?? null),
    host: own(asMoRef(p['runtime.host'])?.value ?? null),
    customValues: customValuesOf(p[CUSTOM_VALUE_PATH], strings),
  };
}

/** CustomFieldStringValue items (the only kind vCenter has) as (key, value); values owned. */
export function customValuesOf(value: VimValue | undefined, strings: OwnedStrings): [number, string][] | null {
  let pairs: [number, string][] | null = null;
  for (const item of asArray(value)) {
    const field = asObject(item);
    const key = asNumber(field?.['key']);
    const text = asString(field?.['value']);
    if (key === null || text === null) continue;
    (pairs ??= []).push([key, strings.own(text)]);
  }
  return pairs;
}

/** cloud.uuid from extraConfig (an OptionValue, or bare text), else the pre-9.5 vCD name suffix. */
export function cloudIdOf(cloudUuid: VimValue | undefined, managedByExtension: string | null, name: string): string | null {
  const option = asObject(cloudUuid);
  const fromConfig = nonEmpty(option ? asString(option['value']) : asString(cloudUuid));
  if (fromConfig) return fromConfig;
  if (managedByExtension === VCLOUD_EXTENSION) return NAME_UUID_SUFFIX.exec(name)?.[1]?.toLowerCase() ?? null;
  return null;
}

/**
 * vCenter escapes '%', '/' and '\' in entity names (%25, %2f, %5c). Names shown to people are
 * decoded; inventory paths keep the escaped form so that '/' only ever separates segments.
 */
export function decodeEntityName(name: string): string {
  if (!name.includes('%')) return name;
  return name.replace(/%(2[fF]|5[cC]|25)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function nonEmpty(text: string | null): string | null {
  return text === null || text.trim() === '' ? null : text;
}
