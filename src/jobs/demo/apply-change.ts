// Makes one planned change (src/core/demo-plan.ts) on the simulator through the vim25 API
// (src/vcenter/simulator-changes.ts), keeping the VM ids and pool refs it has looked up.
import type { VmRecord } from '../../core/inventory.js';
import { DEMO_TIER_POOLS, type DemoChange, type DemoVm } from '../../core/demo-plan.js';
import { createVm, destroy, findPoolByName, powerOff, powerOn, reconfigure, relocateToPool } from '../../vcenter/simulator-changes.js';
import type { MoRef, VimSession } from '../../vcenter/index.js';

export class SimulatorInventory {
  private readonly ids = new Map<string, string>();
  private readonly pools = new Map<string, MoRef>();

  constructor(
    private readonly session: VimSession,
    records: readonly VmRecord[],
  ) {
    for (const r of records) this.ids.set(r.name, r.vmId);
  }

  /** The VMs the demo may change: not templates, not SRM placeholders. */
  static changeable(records: readonly VmRecord[]): DemoVm[] {
    return records
      .filter((r) => !r.isTemplate && !r.srmPlaceholder)
      .map((r) => ({
        name: r.name,
        // Only VMs in a cluster's pool tree can move between its tier pools.
        cluster: r.cluster !== null && r.resourcePool !== null ? r.cluster : null,
        pool: r.resourcePool,
        vcpu: r.vcpuCount,
        memoryMb: Math.round(r.ramGb * 1024),
        poweredOn: r.poweredOn,
      }));
  }

  async apply(change: DemoChange): Promise<void> {
    switch (change.kind) {
      case 'create': {
        const id = await createVm(this.session, change.vm, {
          pool: await this.pool(change.cluster, change.pool),
          numCPU: change.vcpu,
          memoryMB: change.memoryMb,
          powerOn: change.poweredOn,
        });
        this.ids.set(change.vm, id);
        return;
      }
      case 'destroy':
        await destroy(this.session, this.id(change.vm));
        this.ids.delete(change.vm);
        return;
      case 'resize':
        await reconfigure(this.session, this.id(change.vm), { numCPU: change.to.vcpu, memoryMB: change.to.memoryMb });
        return;
      case 'move':
        await relocateToPool(this.session, this.id(change.vm), await this.pool(change.cluster, change.to));
        return;
      case 'power':
        await (change.on ? powerOn : powerOff)(this.session, this.id(change.vm));
        return;
    }
  }

  private id(name: string): string {
    const id = this.ids.get(name);
    if (id === undefined) throw new Error(`the simulator has no VM named ${name}`);
    return id;
  }

  private async pool(cluster: string, name: string): Promise<MoRef> {
    const key = `${cluster}/${name}`;
    let ref = this.pools.get(key);
    if (!ref) {
      ref = (await findPoolByName(this.session, name, cluster)) ?? undefined;
      if (!ref) throw new Error(`the simulator has no resource pool ${name} in ${cluster} (expected ${DEMO_TIER_POOLS.join(', ')})`);
      this.pools.set(key, ref);
    }
    return ref;
  }
}
