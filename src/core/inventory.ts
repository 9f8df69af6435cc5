// What one capture of one vCenter yields for one VM: the contract between the vSphere client
// (src/vcenter), which fills it, and the span storage (src/core/span-diff.ts, src/store), which
// keeps it. Field meanings follow the spec's "Hourly Snapshot Fields".
import type { CustomAttributes, TagsByCategory } from './vm-attributes.js';

export interface VmRecord {
  /** Managed object id, e.g. "vm-42": stable for the VM's life in its vCenter. */
  vmId: string;
  name: string;
  /** config.uuid (BIOS uuid). */
  vmUuid: string | null;
  /** config.instanceUuid. */
  instanceUuid: string | null;
  /** Key of the creation/deploy/clone/register event, when creation time came from an event. */
  eventKey: string | null;
  /** vCloud Director identity, where vCenter exposes one (see README "CloudId"). */
  cloudId: string | null;
  /** Name of the VM's resource pool; null for templates, which have none. */
  resourcePool: string | null;
  /**
   * Names of the VM's resource pool and its ancestors, nearest first, without the cluster's
   * hidden root pool ("Resources"). Tier matching walks this list.
   */
  resourcePoolChain: string[];
  datacenter: string | null;
  cluster: string | null;
  /** Inventory path of the VM's parent folder, e.g. "/DC0/vm/Team-A". */
  folder: string | null;
  /** summary.storage.committed + uncommitted, in GiB. */
  provisionedDiskGb: number;
  vcpuCount: number;
  /** config.hardware.memoryMB / 1024. */
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
  /** Unix seconds: config.createDate, else the creation event's time, else 0. */
  creationTime: number;
  /**
   * Custom attributes (customValue, by the CustomFieldsManager's field names). null or absent: not
   * read this time, so the VM's previous values carry forward (src/core/vm-attributes.ts).
   */
  customAttributes?: CustomAttributes | null;
  /** Tags by category name (vAPI tagging). null or absent: not read (the endpoint failed or is absent). */
  tags?: TagsByCategory | null;
}
