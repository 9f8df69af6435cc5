// Inventory changes against VMware's vCenter simulator (test/vcsim), the way an operator would make
// them in vCenter: power, resize, move between pools, destroy, create, custom attributes, through
// the vim25 SOAP API and our own VimSession.invoke; tags through vAPI (src/vcenter/vapi-session.ts). Used only by `vctp demo` (src/jobs/demo) and the tests, against
// the simulator; vctp never changes a real vCenter. Every task is waited for, so the next
// collection sees the change. Names (VM, pool, host, folder path) or morefs.
import { retrieveAll, retrieveProperties, withContainerView } from './property-collector.js';
import { containerViewFilterSpec, el, escapeXml, moRefXml } from './soap-envelope.js';
import { waitForTask } from './tasks.js';
import { VapiSession } from './vapi-session.js';
import type { VimSession } from './vim-session.js';
import { asArray, asMoRef, asNumber, asObject, asString, MoRef, type VimValue } from './vim-values.js';

type Ref = string | MoRef;

/** name and parent of every object of `type`, keyed by moref value. */
async function listEntities(session: VimSession, type: string): Promise<Map<string, { name: string; parent: MoRef | null }>> {
  const found = new Map<string, { name: string; parent: MoRef | null }>();
  await withContainerView(session, [type], (view) =>
    retrieveAll(session, containerViewFilterSpec(view, [{ type, pathSet: ['name', 'parent'] }]), {
      pageSize: 1000,
      onObject: (c) => found.set(c.obj.value, { name: asString(c.props['name']) ?? '', parent: asMoRef(c.props['parent']) }),
    }),
  );
  return found;
}

async function prop(session: VimSession, ref: MoRef, path: string): Promise<VimValue | undefined> {
  const [content] = await retrieveProperties(session, [ref], ref.type, [path]);
  return content?.props[path];
}

async function runTask(session: VimSession, operation: string, bodyXml: string): Promise<VimValue | undefined> {
  const task = asMoRef(await session.invoke(operation, bodyXml));
  if (!task) throw new Error(`${operation} returned no task`);
  return waitForTask(session, task);
}

const vmRef = (vmId: string): MoRef => new MoRef('VirtualMachine', vmId);

export async function findVmByName(session: VimSession, name: string): Promise<string | null> {
  for (const [id, vm] of await listEntities(session, 'VirtualMachine')) if (vm.name === name) return id;
  return null;
}

/**
 * A resource pool by name. Pool names repeat across clusters (every cluster has its own "Gold"),
 * so `cluster` picks the cluster (or standalone host) whose pool tree holds it.
 */
export async function findPoolByName(session: VimSession, name: string, cluster?: string): Promise<MoRef | null> {
  const pools = await listEntities(session, 'ResourcePool');
  const computes = await listEntities(session, 'ComputeResource');
  for (const [id, pool] of pools) {
    if (pool.name !== name) continue;
    if (cluster === undefined) return new MoRef('ResourcePool', id);
    let parent = pool.parent;
    while (parent && pools.has(parent.value)) parent = pools.get(parent.value)!.parent;
    if (parent && computes.get(parent.value)?.name === cluster) return new MoRef('ResourcePool', id);
  }
  return null;
}

async function poolRef(session: VimSession, pool: Ref): Promise<MoRef> {
  if (pool instanceof MoRef) return pool;
  const ref = await findPoolByName(session, pool);
  if (!ref) throw new Error(`no resource pool named ${pool}`);
  return ref;
}

export async function powerOff(session: VimSession, vmId: string): Promise<void> {
  await runTask(session, 'PowerOffVM_Task', moRefXml('_this', vmRef(vmId)));
}

export async function powerOn(session: VimSession, vmId: string): Promise<void> {
  await runTask(session, 'PowerOnVM_Task', moRefXml('_this', vmRef(vmId)));
}

/** ReconfigVM_Task; VirtualMachineConfigSpec order: numCPUs before memoryMB. */
export async function reconfigure(session: VimSession, vmId: string, change: { numCPU?: number; memoryMB?: number }): Promise<void> {
  let spec = '';
  if (change.numCPU !== undefined) spec += el('numCPUs', change.numCPU);
  if (change.memoryMB !== undefined) spec += el('memoryMB', change.memoryMB);
  await runTask(session, 'ReconfigVM_Task', moRefXml('_this', vmRef(vmId)) + `<spec>${spec}</spec>`);
}

/** RelocateVM_Task with only a pool (the simulator has no MoveIntoResourcePool). */
export async function relocateToPool(session: VimSession, vmId: string, pool: Ref): Promise<void> {
  const ref = await poolRef(session, pool);
  await runTask(session, 'RelocateVM_Task', moRefXml('_this', vmRef(vmId)) + `<spec>${moRefXml('pool', ref)}</spec>`);
}

/** Destroy_Task, powering the VM off first as vCenter requires. */
export async function destroy(session: VimSession, vmId: string): Promise<void> {
  if ((await prop(session, vmRef(vmId), 'runtime.powerState')) === 'poweredOn') await powerOff(session, vmId);
  await runTask(session, 'Destroy_Task', moRefXml('_this', vmRef(vmId)));
}

export interface CreateVmOptions {
  pool: Ref;
  /** Inventory path ("DC0/vm/Team-A", leading slash optional) or moref; default the datacenter's vm folder. */
  folder?: Ref;
  /** Host name or moref; default the first host of the pool's cluster. */
  host?: Ref;
  numCPU?: number;
  memoryMB?: number;
  powerOn?: boolean;
}

/** CreateVM_Task; returns the new VM's moref value. */
export async function createVm(session: VimSession, name: string, options: CreateVmOptions): Promise<string> {
  const pool = await poolRef(session, options.pool);
  const compute = asMoRef(await prop(session, pool, 'owner'));
  if (!compute) throw new Error(`pool ${pool.value} has no owner`);
  const host = await hostRef(session, options.host, compute);
  const datastore = asMoRef(asArray(await prop(session, host, 'datastore'))[0]);
  const datastoreName = datastore ? asString(await prop(session, datastore, 'name')) : null;
  if (!datastoreName) throw new Error(`host ${host.value} has no datastore`);
  const folder = await folderRef(session, options.folder, compute);
  const config =
    el('name', name) +
    el('guestId', 'otherGuest64') +
    `<files>${el('vmPathName', `[${datastoreName}]`)}</files>` +
    el('numCPUs', options.numCPU ?? 1) +
    el('memoryMB', options.memoryMB ?? 1024);
  const result = await runTask(
    session,
    'CreateVM_Task',
    moRefXml('_this', folder) + `<config>${config}</config>` + moRefXml('pool', pool) + moRefXml('host', host),
  );
  const vm = asMoRef(result);
  if (!vm) throw new Error(`CreateVM_Task for ${name} returned no VM`);
  if (options.powerOn) await powerOn(session, vm.value);
  return vm.value;
}

async function hostRef(session: VimSession, host: Ref | undefined, compute: MoRef): Promise<MoRef> {
  if (host instanceof MoRef) return host;
  if (host !== undefined) {
    for (const [id, h] of await listEntities(session, 'HostSystem')) if (h.name === host) return new MoRef('HostSystem', id);
    throw new Error(`no host named ${host}`);
  }
  const first = asMoRef(asArray(await prop(session, compute, 'host'))[0]);
  if (!first) throw new Error(`${compute.value} has no host`);
  return first;
}

async function folderRef(session: VimSession, folder: Ref | undefined, compute: MoRef): Promise<MoRef> {
  if (folder instanceof MoRef) return folder;
  if (folder !== undefined) {
    const searchIndex = session.serviceContent.searchIndex;
    if (!searchIndex) throw new Error('no SearchIndex');
    const found = asMoRef(
      await session.invoke('FindByInventoryPath', moRefXml('_this', searchIndex) + `<inventoryPath>${escapeXml(folder.replace(/^\//, ''))}</inventoryPath>`),
    );
    if (!found) throw new Error(`no folder at ${folder}`);
    return found;
  }
  // The datacenter above the compute resource, then its vm folder.
  let ref: MoRef | null = compute;
  while (ref && ref.type !== 'Datacenter') ref = asMoRef(await prop(session, ref, 'parent'));
  const vmFolder = ref ? asMoRef(await prop(session, ref, 'vmFolder')) : null;
  if (!vmFolder) throw new Error(`no vm folder above ${compute.value}`);
  return vmFolder;
}

/** SetField: a VM's custom attribute `name` (a VirtualMachine field, defined when missing); '' clears it. */
export async function setCustomAttribute(session: VimSession, vmId: string, name: string, value: string): Promise<void> {
  const manager = session.serviceContent.customFieldsManager;
  if (!manager) throw new Error('no CustomFieldsManager');
  let key: number | null = null;
  for (const item of asArray(await prop(session, manager, 'field'))) {
    const def = asObject(item);
    const type = asString(def?.['managedObjectType']) ?? '';
    if (asString(def?.['name']) === name && (type === '' || type === 'VirtualMachine')) key = asNumber(def?.['key']);
  }
  if (key === null) {
    const def = asObject(
      await session.invoke('AddCustomFieldDef', moRefXml('_this', manager) + el('name', name) + el('moType', 'VirtualMachine')),
    );
    key = asNumber(def?.['key']);
    if (key === null) throw new Error(`AddCustomFieldDef ${name} returned no key`);
  }
  await session.invoke('SetField', moRefXml('_this', manager) + moRefXml('entity', vmRef(vmId)) + el('key', key) + el('value', value));
}

const TAGGING = {
  api: { base: '/api/cis/tagging', id: (id: string) => id, action: (a: string) => `?action=${a}` },
  rest: { base: '/rest/com/vmware/cis/tagging', id: (id: string) => `id:${id}`, action: (a: string) => `?~action=${a}` },
};

/** Attaches (`attached`) or detaches the tag `tag` of `category` on a VM; category and tag are made when missing. */
export async function setVmTag(session: VimSession, vmId: string, category: string, tag: string, attached: boolean): Promise<void> {
  const vapi = await VapiSession.login(session);
  try {
    const t = TAGGING[vapi.flavour];
    const named = async (kind: 'category' | 'tag', name: string, where: (item: Record<string, unknown>) => boolean): Promise<string | null> => {
      for (const id of (await vapi.get(`${t.base}/${kind}`)) as string[]) {
        const item = (await vapi.get(`${t.base}/${kind}/${t.id(id)}`)) as Record<string, unknown>;
        if (item['name'] === name && where(item)) return id;
      }
      return null;
    };
    const create = async (kind: 'category' | 'tag', spec: Record<string, unknown>): Promise<string> =>
      (await vapi.post(`${t.base}/${kind}`, vapi.flavour === 'rest' ? { create_spec: spec } : spec)) as string;
    const categoryId =
      (await named('category', category, () => true)) ??
      (await create('category', { name: category, description: '', cardinality: 'MULTIPLE', associable_types: [] }));
    const tagId =
      (await named('tag', tag, (item) => item['category_id'] === categoryId)) ??
      (await create('tag', { name: tag, description: '', category_id: categoryId }));
    const objectId = { type: 'VirtualMachine', id: vmId };
    await vapi.post(`${t.base}/tag-association/${t.id(tagId)}${t.action(attached ? 'attach' : 'detach')}`, { object_id: objectId });
  } finally {
    await vapi.logout();
  }
}
