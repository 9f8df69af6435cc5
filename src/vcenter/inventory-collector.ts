// One capture of one vCenter: every VM as a VmRecord. Two collections through container views —
// the VMs (paged, streamed, each ObjectContent reduced to VmFacts as it is parsed) and then the
// small entity tree that resolves placements — plus an event lookup for VMs without createDate.
// The tree is read after the VMs so that every pool or folder a VM points at already exists in it.
// Before them, the custom attribute names (custom-fields.ts); after them, the VMs' tags (vAPI).
//
// Custom attributes and tags never fail a capture: when the names or the tagging endpoint cannot be
// read, one warning is logged and the VMs' records say "not read" (null), so the capture carries
// each VM's previous values forward (src/core/vm-attributes.ts) instead of changing its spans.
import type { VmRecord } from '../core/inventory.js';
import type { CustomAttributes, TagsByCategory } from '../core/vm-attributes.js';
import { readCustomFieldNames } from './custom-fields.js';
import { findCreationEvents } from './events.js';
import { PLACEMENT_PROPERTIES, PLACEMENT_TYPES, PlacementResolver, entityNode, type EntityNode } from './placement-resolver.js';
import { retrieveAll, withContainerView } from './property-collector.js';
import { containerViewFilterSpec } from './soap-envelope.js';
import { errorText, isVimFault } from './vim-errors.js';
import { collectTags, type VmTags } from './tags.js';
import type { VimSession } from './vim-session.js';
import { CLOUD_UUID_PATH, CUSTOM_VALUE_PATH, OwnedStrings, VM_PATHS, vmFacts, type VmFacts } from './vm-properties.js';

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
  /** Read the VMs' tags through vAPI; default true. false: records carry tags null (not read). */
  tags?: boolean;
  /** Tag ids per vAPI list-attached-objects-on-tags call (default src/vcenter/tags.ts TAG_BATCH). */
  tagBatchSize?: number;
}

const NO_CUSTOM_ATTRIBUTES: CustomAttributes = new Map();
const NO_TAGS: TagsByCategory = new Map();

const DEFAULT_PAGE_SIZE = 1000;

export async function collectInventory(session: VimSession, options: CollectOptions = {}): Promise<VmRecord[]> {
  const fieldNames = await readFieldNamesOrNull(session, options);
  // No field a VM can have, or names unreadable: customValue is not asked for at all.
  const withCustomValues = fieldNames !== null && fieldNames.size > 0;
  const facts = await collectVmFacts(session, options, withCustomValues);
  const resolver = await collectPlacement(session, options);
  const tags = options.tags === false ? null : await readTagsOrNull(session, facts, options);
  const attributesOf = customAttributeReader(fieldNames);
  const records = facts.map((f) => toRecord(f, resolver, attributesOf(f), tags === null ? null : (tags.get(f.vmId) ?? NO_TAGS)));
  await fillCreationFromEvents(session, records, options);
  return records;
}

async function readFieldNamesOrNull(session: VimSession, options: CollectOptions): Promise<Map<number, string> | null> {
  try {
    return await readCustomFieldNames(session);
  } catch (error) {
    options.signal?.throwIfAborted();
    // A vCenter that stopped answering fails the capture anyway, at its next call.
    session.logger.warn({ err: errorText(error) }, 'custom attribute names unavailable; VMs keep their previous custom attributes');
    return null;
  }
}

async function readTagsOrNull(session: VimSession, facts: readonly VmFacts[], options: CollectOptions): Promise<VmTags | null> {
  if (session.timedOutOperation !== undefined) {
    session.logger.warn({ timedOut: session.timedOutOperation }, 'vCenter stopped answering: tags not read; VMs keep their previous tags');
    return null;
  }
  try {
    return await collectTags(
      session,
      facts.map((f) => f.vmId),
      { signal: options.signal, ...(options.tagBatchSize === undefined ? {} : { batchSize: options.tagBatchSize }) },
    );
  } catch (error) {
    options.signal?.throwIfAborted();
    session.logger.warn({ err: errorText(error) }, 'vCenter tags unavailable (vAPI tagging); VMs keep their previous tags');
    return null;
  }
}

/**
 * customValue pairs to name -> value (the values are already one copy each: OwnedStrings). A key
 * without a name (a field deleted meanwhile) is skipped; a later pair of one key replaces an earlier one.
 */
function customAttributeReader(fieldNames: Map<number, string> | null): (f: VmFacts) => CustomAttributes | null {
  if (fieldNames === null) return () => null;
  return (f) => {
    if (f.customValues === null) return NO_CUSTOM_ATTRIBUTES;
    const map = new Map<string, string>();
    for (const [key, value] of f.customValues) {
      const name = fieldNames.get(key);
      if (name !== undefined) map.set(name, value);
    }
    return map.size === 0 ? NO_CUSTOM_ATTRIBUTES : map;
  };
}

async function collectVmFacts(session: VimSession, options: CollectOptions, withCustomValues: boolean): Promise<VmFacts[]> {
  const run = (paths: readonly string[]): Promise<VmFacts[]> =>
    withContainerView(session, ['VirtualMachine'], async (view) => {
      const facts: VmFacts[] = [];
      const strings = new OwnedStrings();
      await retrieveAll(session, containerViewFilterSpec(view, [{ type: 'VirtualMachine', pathSet: paths }]), {
        pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
        signal: options.signal,
        onObject: (content) => facts.push(vmFacts(content, strings)),
        onPage: options.onProgress,
      });
      return facts;
    });
  const paths = withCustomValues ? [...VM_PATHS, CUSTOM_VALUE_PATH] : VM_PATHS;
  try {
    return await run([...paths, CLOUD_UUID_PATH]);
  } catch (error) {
    // A server that rejects keyed property paths outright (rather than listing the path as
    // missing per VM) still gets collected, only without cloud ids.
    if (!isVimFault(error, 'InvalidProperty')) throw error;
    session.logger.warn({ err: errorText(error) }, 'vCenter rejected the cloud.uuid property path; collecting without cloud ids');
    return run(paths);
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

function toRecord(f: VmFacts, resolver: PlacementResolver, customAttributes: CustomAttributes | null, tags: TagsByCategory | null): VmRecord {
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
    customAttributes,
    tags,
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
