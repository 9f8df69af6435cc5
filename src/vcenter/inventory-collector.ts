// One capture of one vCenter: every VM as a VmRecord. Two collections through container views —
// the VMs (paged, streamed, each ObjectContent reduced to VmFacts as it is parsed) and then the
// small entity tree that resolves placements — plus an event lookup for VMs without createDate.
// The tree is read after the VMs so that every pool or folder a VM points at already exists in it.
import type { VmRecord } from '../core/inventory.js';
import { findCreationEvents } from './events.js';
import { PLACEMENT_PROPERTIES, PLACEMENT_TYPES, PlacementResolver, entityNode, type EntityNode } from './placement-resolver.js';
import { retrieveAll, withContainerView } from './property-collector.js';
import { containerViewFilterSpec } from './soap-envelope.js';
import { errorText, isVimFault } from './vim-errors.js';
import type { VimSession } from './vim-session.js';
import { CLOUD_UUID_PATH, VM_PATHS, vmFacts, type VmFacts } from './vm-properties.js';

export interface CollectOptions {
  /** RetrievePropertiesEx maxObjects; default 1000. Servers may return fewer per page. */
  pageSize?: number;
  signal?: AbortSignal;
  /** VMs collected so far, after each page. */
  onProgress?: (collected: number) => void;
  /**
   * Which VMs without config.createDate get an event lookup; default all of them. A caller that
   * already knows a VM's creation time (from an earlier capture) can skip the lookup.
   */
  lookupCreationEvent?: (vmId: string) => boolean;
}

const DEFAULT_PAGE_SIZE = 1000;

export async function collectInventory(session: VimSession, options: CollectOptions = {}): Promise<VmRecord[]> {
  const facts = await collectVmFacts(session, options);
  const resolver = await collectPlacement(session, options);
  const records = facts.map((f) => toRecord(f, resolver));
  await fillCreationFromEvents(session, records, options);
  return records;
}

async function collectVmFacts(session: VimSession, options: CollectOptions): Promise<VmFacts[]> {
  const run = (paths: readonly string[]): Promise<VmFacts[]> =>
    withContainerView(session, ['VirtualMachine'], async (view) => {
      const facts: VmFacts[] = [];
      await retrieveAll(session, containerViewFilterSpec(view, [{ type: 'VirtualMachine', pathSet: paths }]), {
        pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
        signal: options.signal,
        onObject: (content) => facts.push(vmFacts(content)),
        onPage: options.onProgress,
      });
      return facts;
    });
  try {
    return await run([...VM_PATHS, CLOUD_UUID_PATH]);
  } catch (error) {
    // A server that rejects keyed property paths outright (rather than listing the path as
    // missing per VM) still gets collected, only without cloud ids.
    if (!isVimFault(error, 'InvalidProperty')) throw error;
    session.logger.warn({ err: errorText(error) }, 'vCenter rejected the cloud.uuid property path; collecting without cloud ids');
    return run(VM_PATHS);
  }
}

async function collectPlacement(session: VimSession, options: CollectOptions): Promise<PlacementResolver> {
  const nodes = new Map<string, EntityNode>();
  const root = session.serviceContent.rootFolder;
  nodes.set(root.value, { type: root.type, name: '', parent: null });
  await withContainerView(session, PLACEMENT_TYPES, (view) =>
    retrieveAll(session, containerViewFilterSpec(view, PLACEMENT_PROPERTIES), {
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
      signal: options.signal,
      onObject: (content) => nodes.set(content.obj.value, entityNode(content)),
    }),
  );
  return new PlacementResolver(nodes);
}

function toRecord(f: VmFacts, resolver: PlacementResolver): VmRecord {
  const placement = resolver.resolve(f);
  return {
    vmId: f.vmId,
    name: f.name,
    vmUuid: f.vmUuid,
    instanceUuid: f.instanceUuid,
    eventKey: null,
    cloudId: f.cloudId,
    resourcePool: placement.resourcePool,
    resourcePoolChain: placement.resourcePoolChain,
    datacenter: placement.datacenter,
    cluster: placement.cluster,
    folder: placement.folder,
    provisionedDiskGb: f.provisionedDiskGb,
    vcpuCount: f.vcpuCount,
    ramGb: f.ramGb,
    isTemplate: f.isTemplate,
    poweredOn: f.poweredOn,
    srmPlaceholder: f.srmPlaceholder,
    creationTime: f.createDate ?? 0,
  };
}

/** config.createDate missing: take the earliest creation-type event; failures leave 0 and warn. */
async function fillCreationFromEvents(session: VimSession, records: VmRecord[], options: CollectOptions): Promise<void> {
  const wanted = options.lookupCreationEvent ?? (() => true);
  const missing = records.filter((r) => r.creationTime === 0 && wanted(r.vmId));
  if (missing.length === 0) return;
  options.signal?.throwIfAborted();
  try {
    const events = await findCreationEvents(
      session,
      missing.map((r) => r.vmId),
    );
    for (const record of missing) {
      const event = events.get(record.vmId);
      if (event) {
        record.creationTime = event.time;
        record.eventKey = event.key;
      }
    }
    session.logger.debug({ wanted: missing.length, found: events.size }, 'creation times from events');
  } catch (error) {
    options.signal?.throwIfAborted();
    session.logger.warn({ err: errorText(error), vms: missing.length }, 'creation events unavailable; creation time left at 0');
  }
}
