// Capture as a diff: the inventory just collected against the vCenter's open spans. Unchanged VMs
// cost nothing; a changed VM closes its span at the previous snapshot and opens a new one; a VM that
// is gone closes its span; a new VM opens one. README "Storage: state spans" has the invariant this keeps.
import { VctpError } from './errors.js';
import { sameSpanState, type SpanState } from './span-state.js';

export interface OpenSpan {
  spanId: number;
  lifecycleId: number;
  vmId: string;
  identityId: number;
  placementId: number;
  /** vm_attribute_sets.id of state.attributes (0: none). */
  attributesId: number;
  state: SpanState;
}

export interface CapturedVm {
  vmId: string;
  state: SpanState;
  /** Unix seconds, 0 when vCenter gives none. */
  creationTime: number;
}

export interface SpanDiff {
  unchanged: CapturedVm[];
  changed: { vm: CapturedVm; old: OpenSpan }[];
  added: CapturedVm[];
  removed: OpenSpan[];
}

export function diffSpans(open: ReadonlyMap<string, OpenSpan>, current: readonly CapturedVm[]): SpanDiff {
  const diff: SpanDiff = { unchanged: [], changed: [], added: [], removed: [] };
  const seen = new Set<string>();
  for (const vm of current) {
    if (seen.has(vm.vmId)) throw new VctpError('vcenter', `inventory lists VM ${vm.vmId} twice`);
    seen.add(vm.vmId);
    const old = open.get(vm.vmId);
    if (!old) diff.added.push(vm);
    else if (sameSpanState(old.state, vm.state)) diff.unchanged.push(vm);
    else diff.changed.push({ vm, old });
  }
  for (const span of open.values()) if (!seen.has(span.vmId)) diff.removed.push(span);
  return diff;
}
