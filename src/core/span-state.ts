// The tracked attributes of a VM in one snapshot: what a span keeps constant. Any change to one of
// them (its custom attributes and tags included) closes the VM's open span and opens a new one.
import type { VmRecord } from './inventory.js';
import type { Tier, TierResolver } from './tiers.js';
import { roundDiskGb } from './units.js';
import { attributeSetOf, NO_ATTRIBUTES } from './vm-attributes.js';

export interface SpanIdentity {
  vmUuid: string | null;
  instanceUuid: string | null;
  eventKey: string | null;
  cloudId: string | null;
}

export interface SpanPlacement {
  resourcePool: string | null;
  tier: Tier | null;
  datacenter: string | null;
  cluster: string | null;
  folder: string | null;
}

export interface SpanState {
  name: string;
  identity: SpanIdentity;
  placement: SpanPlacement;
  provisionedDiskGb: number;
  vcpuCount: number;
  ramGb: number;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
  /**
   * Custom attributes and tags: the canonical text of src/core/vm-attributes.ts. Absent means `{}`
   * (none): states built for totals only (backfill) need not say.
   */
  attributes?: string;
}

/**
 * `previousAttributes`: the VM's open span's set, from which a source not read this time (see
 * VmRecord.customAttributes and .tags) carries forward.
 */
export function spanStateOf(vm: VmRecord, tierOf: TierResolver, previousAttributes: string = NO_ATTRIBUTES): SpanState {
  return {
    name: vm.name,
    identity: { vmUuid: vm.vmUuid, instanceUuid: vm.instanceUuid, eventKey: vm.eventKey, cloudId: vm.cloudId },
    placement: {
      resourcePool: vm.resourcePool,
      tier: tierOf(vm.resourcePoolChain),
      datacenter: vm.datacenter,
      cluster: vm.cluster,
      folder: vm.folder,
    },
    provisionedDiskGb: roundDiskGb(vm.provisionedDiskGb),
    vcpuCount: vm.vcpuCount,
    ramGb: vm.ramGb,
    isTemplate: vm.isTemplate,
    poweredOn: vm.poweredOn,
    srmPlaceholder: vm.srmPlaceholder,
    attributes: attributeSetOf(vm.customAttributes, vm.tags, previousAttributes),
  };
}

/** Dedup keys: equal keys mean equal values (JSON keeps null distinct from "null"). */
export function identityKey(identity: SpanIdentity): string {
  return JSON.stringify([identity.vmUuid, identity.instanceUuid, identity.eventKey, identity.cloudId]);
}

export function placementKey(placement: SpanPlacement): string {
  return JSON.stringify([placement.resourcePool, placement.tier, placement.datacenter, placement.cluster, placement.folder]);
}

export function sameSpanState(a: SpanState, b: SpanState): boolean {
  return (
    a.name === b.name &&
    a.provisionedDiskGb === b.provisionedDiskGb &&
    a.vcpuCount === b.vcpuCount &&
    a.ramGb === b.ramGb &&
    a.isTemplate === b.isTemplate &&
    a.poweredOn === b.poweredOn &&
    a.srmPlaceholder === b.srmPlaceholder &&
    (a.attributes ?? NO_ATTRIBUTES) === (b.attributes ?? NO_ATTRIBUTES) &&
    identityKey(a.identity) === identityKey(b.identity) &&
    placementKey(a.placement) === placementKey(b.placement)
  );
}
