// Where a VM sits: datacenter, cluster, resource pool (+ ancestor pools) and folder path, from a
// second, small collection of the inventory tree (name + parent of every container entity).
//
// Decisions:
//   - Cluster: the ClusterComputeResource that owns the VM's resource pool; for templates (no
//     pool) the one that holds runtime.host. A standalone host's ComputeResource is not a cluster,
//     so its VMs get cluster null — reporting the host name as a cluster would let node-charge
//     cluster patterns match hosts by accident.
//   - Resource pool: every cluster (and standalone host) has a hidden root pool, named
//     "Resources". A VM directly in it gets resourcePool "Resources" (what vCenter calls it) and an
//     empty chain: the chain lists user-created pools (and vApps, which are pools) nearest first,
//     never the root. The root is recognised by its parent being a compute resource, not by name.
//   - Folder: inventory path of the VM's parent folder without the root folder, e.g.
//     "/DC0/vm/Team-A", segments escaped as vCenter escapes names. VMs inside a vApp have no
//     parent folder (vCenter sets parentVApp instead): their folder is null.
//   - Templates have no resource pool: resourcePool null, chain empty.
import type { ObjectContent } from './property-collector.js';
import { decodeEntityName } from './vm-properties.js';
import { asMoRef, asString } from './vim-values.js';

export const PLACEMENT_TYPES: readonly string[] = [
  'Folder',
  'Datacenter',
  'ClusterComputeResource',
  'ComputeResource',
  'ResourcePool',
  'VirtualApp',
  'HostSystem',
];

/** ManagedEntity covers every type above: one spec, two cheap properties each. */
export const PLACEMENT_PROPERTIES = [{ type: 'ManagedEntity', pathSet: ['name', 'parent'] }] as const;

export interface EntityNode {
  type: string;
  /** Name as vCenter returns it (escaped). */
  name: string;
  /** Moref value of the parent; null for the root folder. */
  parent: string | null;
}

export interface Placement {
  datacenter: string | null;
  cluster: string | null;
  resourcePool: string | null;
  resourcePoolChain: string[];
  folder: string | null;
}

export interface VmRefs {
  parent: string | null;
  parentVApp: string | null;
  resourcePool: string | null;
  host: string | null;
}

const COMPUTE_TYPES = new Set(['ComputeResource', 'ClusterComputeResource']);
const POOL_TYPES = new Set(['ResourcePool', 'VirtualApp']);

export function entityNode(content: ObjectContent): EntityNode {
  return {
    type: content.obj.type,
    name: asString(content.props['name']) ?? content.obj.value,
    parent: asMoRef(content.props['parent'])?.value ?? null,
  };
}

/** Resolves placements against one collection of the tree; memoises per folder and per pool. */
export class PlacementResolver {
  private readonly folders = new Map<string, string | null>();
  private readonly pools = new Map<string, { chain: string[]; compute: string | null }>();

  /** Keyed by moref value, which vCenter keeps unique across types. */
  constructor(private readonly nodes: ReadonlyMap<string, EntityNode>) {}

  resolve(vm: VmRefs): Placement {
    const poolNode = vm.resourcePool ? this.nodes.get(vm.resourcePool) : undefined;
    const pool = vm.resourcePool ? this.poolInfo(vm.resourcePool) : null;
    const hostParent = vm.host ? (this.nodes.get(vm.host)?.parent ?? null) : null;
    const compute = pool?.compute ?? hostParent;
    const computeNode = compute ? this.nodes.get(compute) : undefined;
    return {
      datacenter: this.datacenterOf(vm.parent) ?? this.datacenterOf(compute) ?? this.datacenterOf(vm.parentVApp),
      cluster: computeNode?.type === 'ClusterComputeResource' ? decodeEntityName(computeNode.name) : null,
      resourcePool: poolNode ? decodeEntityName(poolNode.name) : null,
      resourcePoolChain: pool ? [...pool.chain] : [],
      folder: vm.parent ? this.folderPath(vm.parent) : null,
    };
  }

  /** Names of the pool and its ancestors below the root pool, and the compute resource above. */
  private poolInfo(poolId: string): { chain: string[]; compute: string | null } {
    const cached = this.pools.get(poolId);
    if (cached) return cached;
    const chain: string[] = [];
    let compute: string | null = null;
    let id: string | null = poolId;
    for (let guard = 0; id !== null && guard < 100; guard++) {
      const node = this.nodes.get(id);
      if (!node || !POOL_TYPES.has(node.type)) break;
      const parent: EntityNode | undefined = node.parent ? this.nodes.get(node.parent) : undefined;
      if (parent && COMPUTE_TYPES.has(parent.type)) {
        compute = node.parent; // `node` is the hidden root pool: not part of the chain
        break;
      }
      chain.push(decodeEntityName(node.name));
      id = node.parent;
    }
    const info = { chain, compute };
    this.pools.set(poolId, info);
    return info;
  }

  private datacenterOf(start: string | null): string | null {
    let id = start;
    for (let guard = 0; id !== null && guard < 100; guard++) {
      const node = this.nodes.get(id);
      if (!node) return null;
      if (node.type === 'Datacenter') return decodeEntityName(node.name);
      id = node.parent;
    }
    return null;
  }

  /** "/DC0/vm/Team-A": every ancestor's name except the root folder's; null if the chain breaks. */
  private folderPath(folderId: string): string | null {
    if (this.folders.has(folderId)) return this.folders.get(folderId) ?? null;
    const segments: string[] = [];
    let id: string | null = folderId;
    let complete = false;
    for (let guard = 0; id !== null && guard < 100; guard++) {
      const node = this.nodes.get(id);
      if (!node) break;
      if (node.parent === null) {
        complete = true; // reached the root folder, which has no name in paths
        break;
      }
      segments.push(node.name);
      id = node.parent;
    }
    const path = complete ? `/${segments.reverse().join('/')}` : null;
    this.folders.set(folderId, path);
    return path;
  }
}
