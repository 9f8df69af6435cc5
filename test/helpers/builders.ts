// The one set of test builders: plain VM records with every field set to an unremarkable value,
// which a test overrides where it matters.
import type { VmRecord } from '../../src/core/inventory.js';

export function vm(vmId: string, over: Partial<VmRecord> = {}): VmRecord {
  return {
    vmId,
    name: vmId,
    vmUuid: null,
    instanceUuid: null,
    eventKey: null,
    cloudId: null,
    resourcePool: 'Tin',
    resourcePoolChain: ['Tin'],
    datacenter: 'DC0',
    cluster: 'C0',
    folder: '/DC0/vm',
    provisionedDiskGb: 50,
    vcpuCount: 2,
    ramGb: 8,
    isTemplate: false,
    poweredOn: true,
    srmPlaceholder: false,
    creationTime: 0,
    ...over,
  };
}
