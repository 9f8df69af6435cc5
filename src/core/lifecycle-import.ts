// The rules of a lifecycle fact set by hand (`POST /api/import/vm`, the legacy event endpoints): a
// creation time vCenter never gave, or a better deletion time. Both must agree with what the
// snapshots saw: a VM existed from its first sighting to its last, and was gone at the first
// snapshot of its vCenter that missed it. 0 stays "unknown" in vm_lifecycle, so neither value may be 0.
import { VctpError } from './errors.js';

const DAY = 86_400;

/** What the store knows of one VM in one vCenter (unix seconds). */
export interface LifecycleFacts {
  creationTime: number;
  deletionTime: number;
  firstSeen: number;
  /** Its last snapshot; null while the latest snapshot of its vCenter has it. */
  lastSeen: number | null;
  /** The first snapshot of its vCenter after lastSeen (the one that missed it); null while present. */
  firstMissing: number | null;
  /** The latest hourly snapshot of its vCenter. */
  latestSnapshot: number;
}

export interface LifecycleChange {
  creationTime?: number;
  deletionTime?: number;
}

/** A refused value, with the body field at fault (the API answers 400 naming it). */
export class LifecycleImportError extends VctpError {
  readonly field: 'creationTime' | 'deletionTime' | 'reason' | 'body';

  constructor(field: LifecycleImportError['field'], message: string) {
    super('usage', `${field}: ${message}`);
    this.field = field;
  }
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** The VM's creation and deletion times after the change, or the first rule it breaks. */
export function plannedLifecycle(facts: LifecycleFacts, change: LifecycleChange): { creationTime: number; deletionTime: number } {
  if (change.creationTime === undefined && change.deletionTime === undefined) {
    throw new LifecycleImportError('body', 'give creationTime, deletionTime or both');
  }
  let { creationTime, deletionTime } = facts;
  if (change.creationTime !== undefined) {
    const t = change.creationTime;
    if (!Number.isSafeInteger(t) || t <= 0) throw new LifecycleImportError('creationTime', 'expected a time after 1970-01-01T00:00:00Z');
    if (t > facts.firstSeen) {
      throw new LifecycleImportError('creationTime', `${iso(t)} is after the VM's first snapshot (${iso(facts.firstSeen)}): it existed by then`);
    }
    creationTime = t;
  }
  if (change.deletionTime !== undefined) {
    const t = change.deletionTime;
    if (!Number.isSafeInteger(t) || t <= 0) throw new LifecycleImportError('deletionTime', 'expected a time after 1970-01-01T00:00:00Z');
    if (facts.lastSeen === null) {
      // A deletion set now would be cleared by the next snapshot that sees the VM, or replaced by the
      // one that misses it (capture's rule): only a VM a snapshot has missed can take one.
      throw new LifecycleImportError(
        'deletionTime',
        `the VM is in the latest snapshot of its vCenter (${iso(facts.latestSnapshot)}); the first snapshot without it records its deletion (vCenter's VmRemovedEvent time when there is one)`,
      );
    }
    if (t < facts.lastSeen) {
      throw new LifecycleImportError('deletionTime', `${iso(t)} is before the VM's last snapshot (${iso(facts.lastSeen)}): it still existed then`);
    }
    if (facts.firstMissing !== null && t > facts.firstMissing) {
      throw new LifecycleImportError('deletionTime', `${iso(t)} is after the first snapshot without the VM (${iso(facts.firstMissing)}): it was gone by then`);
    }
    deletionTime = t;
  }
  return { creationTime, deletionTime };
}

/**
 * The UTC days (00:00) whose summaries hold the VM, so carry its creation and deletion times: the
 * days of its snapshots, from its first to its last (or the latest while it is present).
 */
export function affectedDays(facts: LifecycleFacts): { firstDay: number; lastDay: number } {
  const last = facts.lastSeen ?? facts.latestSnapshot;
  return { firstDay: facts.firstSeen - (facts.firstSeen % DAY), lastDay: last - (last % DAY) };
}

/** The latest import time covering each day (days as in readHourlyDays), from import day ranges. */
export function lifecycleChangeTimes(
  days: readonly number[],
  imports: readonly { firstDay: number; lastDay: number; importedAt: number }[],
): Map<number, number> {
  const out = new Map<number, number>();
  for (const day of days) {
    let latest = 0;
    for (const i of imports) if (i.firstDay <= day && day <= i.lastDay && i.importedAt > latest) latest = i.importedAt;
    if (latest > 0) out.set(day, latest);
  }
  return out;
}
