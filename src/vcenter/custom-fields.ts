// Custom attribute names. A VM's customValue holds (field key, value) pairs; the names live once in
// the CustomFieldsManager's `field` list, read once per capture here. (Each VM's `availableField`
// would say the same, but repeated in every VM's ObjectContent: F definitions x N VMs of XML
// instead of F once.) Read before the VMs: a vCenter without any field a VM can have is collected
// without customValue at all, exactly as fast as before custom attributes were captured.
import { VctpError } from '../core/errors.js';
import { retrieveProperties } from './property-collector.js';
import type { VimSession } from './vim-session.js';
import { asArray, asNumber, asObject, asString } from './vim-values.js';

/** Object types whose fields a VM can carry: global fields have none (or an empty one). */
const VM_FIELD_TYPES = new Set(['', 'VirtualMachine', 'ManagedEntity']);

/** Field key -> name, of every custom attribute a VM can have (global and VirtualMachine fields). */
export async function readCustomFieldNames(session: VimSession): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const manager = session.serviceContent.customFieldsManager;
  // A server without a CustomFieldsManager (a standalone ESXi host) has no custom attributes.
  if (!manager) return names;
  const [content] = await retrieveProperties(session, [manager], 'CustomFieldsManager', ['field']);
  // Unreadable is not "none": the caller carries the previous values forward instead.
  if (!content) throw new VctpError('vcenter', `vCenter ${session.name}: the CustomFieldsManager returned nothing`);
  const fault = content.missing['field'];
  if (fault !== undefined) throw new VctpError('vcenter', `vCenter ${session.name}: CustomFieldsManager.field not readable (${fault})`);
  for (const item of asArray(content?.props['field'])) {
    const def = asObject(item);
    const key = asNumber(def?.['key']);
    const name = asString(def?.['name']);
    const type = asString(def?.['managedObjectType']) ?? '';
    if (key !== null && name !== null && name !== '' && VM_FIELD_TYPES.has(type)) names.set(key, own(name));
  }
  return names;
}

/** A private copy (see vm-properties.ts own(): kept strings must not pin the response chunk). */
function own(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
