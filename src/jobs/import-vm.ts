// import-vm (`POST /api/import/vm`, and the legacy create/delete event endpoints): sets one VM's
// creation or deletion time by hand, e.g. a creation time vCenter never gave. The value is written
// to vm_lifecycle itself, which capture, both aggregation engines, reports and trace read; capture
// keeps it (it never replaces a known creation time, and a deletion is only accepted for a VM a
// snapshot has already missed: src/core/lifecycle-import.ts). Every change is audited in
// vm_lifecycle_imports and in the log, with who, when, why and the values before and after.
//
// Summaries already built carry the old values: the audit row's day range makes each of those days'
// daily summary stale for `vctp repair` (src/store/summary-repository.ts readHourlyDays), and the
// months follow from their re-aggregated days. It runs under the aggregation lock (an aggregation
// reading lifecycle rows meanwhile could otherwise build a summary newer than the import with the
// old values) and, on PostgreSQL, the capture lock. A change whose days fall in a closed month
// (vctp month close) is refused: that month's final summaries could no longer be rebuilt as closed.
import { VctpError } from '../core/errors.js';
import { affectedDays, type LifecycleChange, LifecycleImportError, plannedLifecycle } from '../core/lifecycle-import.js';
import { formatDay } from '../core/periods.js';
import { excludeCaptures } from '../store/capture-lock.js';
import type { SqlExecutor } from '../store/executor.js';
import { assertOpen } from '../store/month-closure-repository.js';
import { findVcenterId, listVcenters } from '../store/vcenter-repository.js';
import { insertLifecycleImport, readLifecycleFacts, type StoredLifecycle, writeLifecycleTimes } from '../store/vm-lifecycle-repository.js';
import { type JobContext, unixSeconds } from './context.js';
import { withVcenterLock } from './job-lock.js';
import { withJobRun } from './job-run.js';

export const REASON_MAX_CHARS = 1000;
const DAY = 86_400;

export interface ImportVmInput {
  /** As stored: host[:port] of its SDK URL. */
  vcenter: string;
  /** vCenter's managed object id (vm-123). */
  vmId: string;
  /** Unix seconds. */
  creationTime?: number;
  deletionTime?: number;
  reason: string;
  /** Who asked: the request's user, or 'anonymous' when auth is disabled. */
  user: string;
  /** Where it came from: 'api', or the legacy endpoint's path. */
  source: string;
  lockWaitSeconds: number;
}

interface Times {
  creationTime: number;
  deletionTime: number;
}

export type ImportVmResult =
  | { skipped: true; holder: string }
  | {
      skipped: false;
      vcenter: string;
      vmId: string;
      lifecycleId: number;
      /** False when the values were already those: nothing written, nothing audited. */
      changed: boolean;
      before: Times;
      after: Times;
      /** The audit row; null when nothing changed. */
      audit: { id: number; time: number; by: string; source: string; reason: string } | null;
      /** Days whose summaries carried the old values and are now stale for `vctp repair`; null when nothing changed. */
      staleDays: { first: string; last: string } | null;
      /** The command that re-aggregates them (the current day is left to `aggregate --partial`). */
      repair: string | null;
    };

export async function runImportVm(ctx: JobContext, input: ImportVmInput): Promise<ImportVmResult> {
  const reason = input.reason.trim();
  if (reason === '') throw new LifecycleImportError('reason', 'say why the value is set (it is kept in the audit)');
  if (reason.length > REASON_MAX_CHARS) throw new LifecycleImportError('reason', `at most ${REASON_MAX_CHARS} characters`);
  // Refused before anything runs (no job run): an unknown vCenter or VM, or a value the snapshots contradict.
  const vcenterId = await findVcenterId(ctx.store, input.vcenter);
  if (vcenterId === null) {
    const known = (await listVcenters(ctx.store)).map((v) => v.name);
    throw new VctpError('not-found', `vcenter ${input.vcenter}: no snapshots of such a vCenter (known: ${known.join(', ') || 'none'})`);
  }
  const change = { creationTime: input.creationTime, deletionTime: input.deletionTime };
  await assertDaysOpen(ctx.store, input, await knownVm(ctx.store, vcenterId, input), change);

  return withJobRun(ctx, { job: 'import-vm' }, async (run) => {
    const locked = await withVcenterLock(ctx, 'aggregate', input.vcenter, input.lockWaitSeconds, () =>
      ctx.store.transaction(async (tx) => {
        await excludeCaptures(tx);
        // Read again under the locks: a capture or a snapshot delete may have moved the VM's sightings.
        const facts = await knownVm(tx, vcenterId, input);
        const before = { creationTime: facts.creationTime, deletionTime: facts.deletionTime };
        const after = plannedLifecycle(facts, change);
        if (after.creationTime === before.creationTime && after.deletionTime === before.deletionTime) {
          return { lifecycleId: facts.lifecycleId, before, after, audit: null, days: null };
        }
        const days = affectedDays(facts);
        await assertDaysOpen(tx, input, facts, change);
        const time = unixSeconds(ctx.now());
        await writeLifecycleTimes(tx, facts.lifecycleId, after);
        const id = await insertLifecycleImport(tx, {
          vcenterId,
          lifecycleId: facts.lifecycleId,
          vmId: input.vmId,
          importedAt: time,
          importedBy: input.user,
          source: input.source,
          reason,
          oldCreationTime: before.creationTime,
          newCreationTime: after.creationTime,
          oldDeletionTime: before.deletionTime,
          newDeletionTime: after.deletionTime,
          ...days,
        });
        return { lifecycleId: facts.lifecycleId, before, after, audit: { id, time, by: input.user, source: input.source, reason }, days };
      }),
    );
    if (!locked.acquired) {
      run.skip(`lock held by ${locked.holder}`);
      return { skipped: true, holder: locked.holder };
    }
    const { lifecycleId, before, after, audit, days } = locked.result;
    run.rows(audit ? 1 : 0);
    const staleDays = days ? { first: formatDay(days.firstDay), last: formatDay(days.lastDay) } : null;
    if (audit) {
      // The audit in the log too (the reason is the admin's own words; no secret is involved).
      ctx.log.info(
        { vcenter: input.vcenter, vmId: input.vmId, user: audit.by, source: audit.source, reason, before, after, auditId: audit.id, staleDays },
        'VM lifecycle set by hand',
      );
    }
    return {
      skipped: false,
      vcenter: input.vcenter,
      vmId: input.vmId,
      lifecycleId,
      changed: audit !== null,
      before,
      after,
      audit,
      staleDays,
      repair: staleDays ? `vctp repair --from ${staleDays.first} --to ${staleDays.last}` : null,
    };
  });
}

/** Refuses a change (not a no-op) whose affected days lie in a closed month, after the lifecycle rules (plannedLifecycle). */
async function assertDaysOpen(db: SqlExecutor, input: ImportVmInput, facts: StoredLifecycle, change: LifecycleChange): Promise<void> {
  const after = plannedLifecycle(facts, change);
  if (after.creationTime === facts.creationTime && after.deletionTime === facts.deletionTime) return;
  const days = affectedDays(facts);
  const span = `${formatDay(days.firstDay)} to ${formatDay(days.lastDay)}`;
  await assertOpen(db, `vmId ${input.vmId} in ${input.vcenter} (its summaries of ${span} carry its lifecycle)`, days.firstDay, days.lastDay + DAY);
}

async function knownVm(db: SqlExecutor, vcenterId: number, input: ImportVmInput): Promise<StoredLifecycle> {
  const facts = await readLifecycleFacts(db, vcenterId, input.vmId);
  // A lifecycle row whose spans retention removed has no hourly history to re-aggregate from.
  if (!facts || facts.spans === 0) throw new VctpError('not-found', `vmId ${input.vmId}: no such VM in the stored snapshots of ${input.vcenter}`);
  return facts;
}
