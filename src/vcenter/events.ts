// VM lifecycle times from vCenter's event history: when a VM was created (for VMs without
// config.createDate) and when a vanished VM was removed.
//
// Two ways to ask, chosen by how many VMs are wanted:
//   - few VMs: one QueryEvents per VM, filtered to that VM (entity, recursion self): cheap and exact;
//   - many VMs, or VMs that no longer exist (removals: a deleted VM cannot be an entity filter):
//     one scan of the matching event types across the inventory through an EventHistoryCollector
//     (RewindCollector + ReadNextEvents pages), matched against the wanted ids on our side.
// Either way an event counts only when its own `vm` argument is the wanted VM: a clone's source
// VM is mentioned by VmClonedEvent too, as sourceVm, and must not get the clone's creation time.
import { VctpError } from '../core/errors.js';
import type { VimSession } from './vim-session.js';
import { el, eventFilterSpecXml, moRefXml, type EventFilter } from './soap-envelope.js';
import { errorText, isVimFault } from './vim-errors.js';
import { asArray, asMoRef, asNumber, asObject, dateTimeToUnix, MoRef, unixToDateTime, type VimValue } from './vim-values.js';

export const CREATION_EVENT_TYPES = ['VmCreatedEvent', 'VmDeployedEvent', 'VmClonedEvent', 'VmRegisteredEvent'] as const;
export const REMOVAL_EVENT_TYPES = ['VmRemovedEvent'] as const;

/** Up to this many VMs are looked up one QueryEvents each; more are found by one scan. */
const PER_VM_QUERY_LIMIT = 20;
const PER_VM_CONCURRENCY = 4;
/** vim25's ceiling for one page of events. */
const EVENT_PAGE = 1000;

export interface VmEvent {
  vmId: string;
  key: string;
  time: number;
  type: string;
}

/** Per VM: its earliest creation-type event (VmCreated/Deployed/Cloned/Registered). */
export async function findCreationEvents(
  session: VimSession,
  vmIds: string[],
  sinceUnix?: number,
): Promise<Map<string, { time: number; key: string }>> {
  const wanted = new Set(vmIds);
  const found = new Map<string, { time: number; key: string }>();
  const keep = (event: VmEvent): void => {
    const prior = found.get(event.vmId);
    if (!prior || event.time < prior.time) found.set(event.vmId, { time: event.time, key: event.key });
  };
  if (wanted.size === 0) return found;
  const base = { eventTypeIds: CREATION_EVENT_TYPES, ...(sinceUnix !== undefined ? { beginTime: unixToDateTime(sinceUnix) } : {}) };

  if (wanted.size <= PER_VM_QUERY_LIMIT) {
    const ids = [...wanted];
    const worker = async (): Promise<void> => {
      for (let id = ids.pop(); id !== undefined; id = ids.pop()) {
        const ref = new MoRef('VirtualMachine', id);
        let events: VmEvent[];
        try {
          events = await queryEvents(session, { ...base, entity: { ref, recursion: 'self' }, maxCount: EVENT_PAGE });
        } catch (error) {
          // A VM deleted since it was collected is no valid entity filter any more: no answer for it.
          if (!isVimFault(error)) throw error;
          session.logger.debug({ vmId: id, err: errorText(error) }, 'creation events of one VM unavailable');
          continue;
        }
        for (const event of events) {
          if (event.vmId === id && (sinceUnix === undefined || event.time >= sinceUnix)) keep(event);
        }
      }
    };
    // allSettled: no query may still be in flight when we return (the caller may log out next).
    const results = await Promise.allSettled(Array.from({ length: Math.min(PER_VM_CONCURRENCY, ids.length) }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return found;
  }

  await scanEvents(session, { ...base, entity: { ref: session.serviceContent.rootFolder, recursion: 'all' } }, (event) => {
    if (wanted.has(event.vmId) && (sinceUnix === undefined || event.time >= sinceUnix)) keep(event);
  });
  return found;
}

/** Per VM: the time (unix s) of its VmRemovedEvent at or after sinceUnix. */
export async function findRemovalTimes(session: VimSession, vmIds: string[], sinceUnix: number): Promise<Map<string, number>> {
  const wanted = new Set(vmIds);
  const found = new Map<string, number>();
  if (wanted.size === 0) return found;
  const filter: EventFilter = {
    eventTypeIds: REMOVAL_EVENT_TYPES,
    beginTime: unixToDateTime(sinceUnix),
    entity: { ref: session.serviceContent.rootFolder, recursion: 'all' },
  };
  await scanEvents(session, filter, (event) => {
    // Servers that ignore beginTime (the simulator does) still must not date a removal too early.
    if (!wanted.has(event.vmId) || event.time < sinceUnix) return;
    const prior = found.get(event.vmId);
    if (prior === undefined || event.time < prior) found.set(event.vmId, event.time);
  });
  return found;
}

async function queryEvents(session: VimSession, filter: EventFilter): Promise<VmEvent[]> {
  const result = await session.call('QueryEvents', moRefXml('_this', eventManager(session)) + eventFilterSpecXml(filter));
  return asArray(result).flatMap((e) => toVmEvent(e) ?? []);
}

/** Walk every event matching `filter`, oldest first, through a collector that is always destroyed. */
async function scanEvents(session: VimSession, filter: EventFilter, onEvent: (event: VmEvent) => void): Promise<void> {
  const created = await session.call('CreateCollectorForEvents', moRefXml('_this', eventManager(session)) + eventFilterSpecXml(filter));
  const collector = asMoRef(created);
  if (!collector) throw new VctpError('vcenter', `vCenter ${session.name}: CreateCollectorForEvents returned no collector`);
  try {
    // vCenter scrolls through all matching history whatever the latest-page size; the simulator
    // only scrolls within its latest page (10 by default), so make that page as large as allowed.
    await session.call('SetCollectorPageSize', moRefXml('_this', collector) + el('maxCount', EVENT_PAGE));
    await session.call('RewindCollector', moRefXml('_this', collector));
    for (;;) {
      const page = asArray(await session.call('ReadNextEvents', moRefXml('_this', collector) + el('maxCount', EVENT_PAGE)));
      if (page.length === 0) break;
      for (const e of page) {
        const event = toVmEvent(e);
        if (event) onEvent(event);
      }
    }
  } finally {
    await session.call('DestroyCollector', moRefXml('_this', collector), { cleanup: true }).catch((error: unknown) => {
      session.logger.warn({ err: errorText(error) }, 'DestroyCollector failed');
    });
  }
}

function eventManager(session: VimSession): MoRef {
  const ref = session.serviceContent.eventManager;
  if (!ref) throw new VctpError('vcenter', `vCenter ${session.name}: no EventManager (is this an ESXi host rather than a vCenter?)`);
  return ref;
}

/** An event that names a VM: its key, type, creation time and the VM's moref value. */
export function toVmEvent(value: VimValue): VmEvent | null {
  const e = asObject(value);
  const vmId = asMoRef(asObject(e?.['vm'])?.['vm'])?.value;
  const key = asNumber(e?.['key']);
  const time = dateTimeToUnix(e?.['createdTime']);
  if (!e || !vmId || key === null || time === null) return null;
  return { vmId, key: String(key), time, type: e.$type ?? 'Event' };
}
