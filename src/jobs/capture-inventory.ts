// Stores one collected inventory of one vCenter as a snapshot: filter, diff against the open spans,
// then write everything in one transaction (src/store/capture-writer.ts).
import { chargeRules, type ChargeRuleSettings } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import type { VmRecord } from '../core/inventory.js';
import { type CapturedVm, diffSpans } from '../core/span-diff.js';
import { spanStateOf } from '../core/span-state.js';
import { tierResolver, type TierPatterns } from '../core/tiers.js';
import { assertRepresentableTime, formatUnixTime, isRepresentableTime } from '../core/time-bounds.js';
import { snapshotTotals, type VcenterTotals } from '../core/totals.js';
import { writeCapture } from '../store/capture-writer.js';
import { loadOpenSpans } from '../store/span-repository.js';
import { ensureVcenterId, latestSnapshotTime } from '../store/vcenter-repository.js';
import { type JobContext, unixSeconds } from './context.js';

export interface CaptureSettings extends ChargeRuleSettings {
  tier_patterns: TierPatterns;
}

export interface CaptureInput {
  vcenter: string;
  snapshotTime: number;
  records: readonly VmRecord[];
  /** Looks up vCenter's VmRemovedEvent times for VMs that vanished since `sinceSeconds`. */
  removalTimes?: (vmIds: string[], sinceSeconds: number) => Promise<Map<string, number>>;
  collectMs?: number;
}

export interface CaptureSummary {
  vcenter: string;
  snapshotTime: number;
  vmCount: number;
  filtered: number;
  unchanged: number;
  changed: number;
  added: number;
  removed: number;
  totals: VcenterTotals;
}

/**
 * Refuses a snapshot time that is not later than the vCenter's latest one (spans need order), or
 * that no date can represent (every reader would fail on it). How far ahead of the clock an --at
 * may be is runSnapshot's rule (src/core/time-bounds.ts), checked before anything is collected.
 */
export async function assertSnapshotTimeIsNew(ctx: JobContext, vcenter: string, snapshotTime: number): Promise<number | null> {
  assertRepresentableTime('--at', snapshotTime);
  const vcenterId = await ensureVcenterId(ctx.store, vcenter);
  const latest = await latestSnapshotTime(ctx.store, vcenterId);
  if (latest !== null && snapshotTime <= latest) {
    throw new VctpError(
      'usage',
      `--at ${snapshotTimeText(snapshotTime)}: vCenter ${vcenter} already has a snapshot at ` +
        `${snapshotTimeText(latest)}; a new snapshot must be later than its latest one${mistakenLatestHint(ctx, vcenter, latest)}`,
    );
  }
  return latest;
}

/** A snapshot time in messages: ISO 8601 with milliseconds (as these messages always were), or the raw number when no date represents it. */
export function snapshotTimeText(unix: number): string {
  return isRepresentableTime(unix) ? new Date(unix * 1000).toISOString() : formatUnixTime(unix);
}

/** A latest snapshot ahead of the clock came from a mistaken --at (or a skewed clock): say how to take it back. */
export function mistakenLatestHint(ctx: JobContext, vcenter: string, latest: number): string {
  if (isRepresentableTime(latest) && latest <= unixSeconds(ctx.now())) return '';
  return ` (that snapshot lies in the future: if it was a mistake, \`vctp snapshot delete --vcenter ${vcenter} --at ${latest}\` removes it)`;
}

export async function captureInventory(ctx: JobContext, settings: CaptureSettings, input: CaptureInput): Promise<CaptureSummary> {
  const started = ctx.now();
  const previous = await assertSnapshotTimeIsNew(ctx, input.vcenter, input.snapshotTime);
  const vcenterId = await ensureVcenterId(ctx.store, input.vcenter);
  const rules = chargeRules(settings);
  const tierOf = tierResolver(settings.tier_patterns);

  const kept = input.records.filter((vm) => !rules.isTenantFiltered(vm));
  const open = await loadOpenSpans(ctx.store, vcenterId);
  const captured: CapturedVm[] = kept.map((vm) => {
    const previous = open.get(vm.vmId)?.state;
    // Custom attributes or tags that could not be read this time carry forward from the open span.
    const state = spanStateOf(vm, tierOf, previous?.attributes);
    // The creation event is looked up once, when a VM is new (snapshot.ts); later captures
    // carry its key over instead of reading as a change of identity.
    const known = previous?.identity.eventKey ?? null;
    if (state.identity.eventKey === null && known !== null) state.identity.eventKey = known;
    return { vmId: vm.vmId, state, creationTime: vm.creationTime };
  });
  const diff = diffSpans(open, captured);

  let removalTimes = new Map<string, number>();
  if (diff.removed.length > 0 && input.removalTimes && previous !== null) {
    try {
      removalTimes = await input.removalTimes(diff.removed.map((s) => s.vmId), previous);
    } catch (error) {
      // The snapshot time still bounds the deletion; losing the exact event time is not worth a failed capture.
      ctx.log.warn({ vcenter: input.vcenter, err: (error as Error).message }, 'removal events unavailable; deletion time is the snapshot time');
    }
  }

  const totals = snapshotTotals(
    captured.map((vm) => ({
      state: vm.state,
      chargeClass: rules.classify({ ...vm.state, cluster: vm.state.placement.cluster }),
    })),
  );
  await ctx.store.transaction((tx) =>
    writeCapture(tx, {
      vcenterId,
      snapshotTime: input.snapshotTime,
      previousSnapshotTime: previous,
      diff,
      removalTimes,
      totals,
      durationMs: (input.collectMs ?? 0) + (ctx.now() - started),
      createdAt: unixSeconds(ctx.now()),
    }),
  );
  return {
    vcenter: input.vcenter,
    snapshotTime: input.snapshotTime,
    vmCount: captured.length,
    filtered: input.records.length - kept.length,
    unchanged: diff.unchanged.length,
    changed: diff.changed.length,
    added: diff.added.length,
    removed: diff.removed.length,
    totals,
  };
}
