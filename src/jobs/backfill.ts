// `vctp backfill` (the spec's -backfill-vcenter-cache): rebuilds both totals caches of every vCenter
// from what they cache. Hourly rows and the latest row come from the spans, daily and monthly rows
// from the registered summaries; one transaction per vCenter replaces all of its totals rows.
// Rows of a closed month (vctp month close) are kept as they are: its figures are final, and
// rebuilt under changed settings they would no longer be the ones closed. The result says which.
import { chargeRules, type ChargeRules } from '../core/charge-rules.js';
import { VctpError } from '../core/errors.js';
import { type AggregationSpan, emptySums } from '../core/period-rollup.js';
import { periodTotals, type PeriodTotalsInput } from '../core/period-totals.js';
import { closureAt } from '../core/month-closure.js';
import { dayPeriod, daysInMonthOf, expectedSamples, formatDay, formatMonth, monthPeriod, nextMonthStartOf, type PeriodKind } from '../core/periods.js';
import type { SpanState } from '../core/span-state.js';
import { emptyTotals, snapshotTotals, type VcenterTotals } from '../core/totals.js';
import { DISK_UNITS_PER_GB, diskCentiGb, RAM_UNITS_PER_GB, ramMb } from '../core/units.js';
import {
  deleteVcenterTotals,
  insertHourlyTotals,
  readRegisteredSummaries,
  readSummaryTotalsGroups,
  type SummaryTotalsGroup,
} from '../store/backfill-repository.js';
import { excludeCaptures } from '../store/capture-lock.js';
import { readClosures } from '../store/month-closure-repository.js';
import { readPeriodSpans, readSampleTimes } from '../store/summary-repository.js';
import { writePeriodTotals, writeSnapshotTotals } from '../store/totals-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import type { AggregationSettings } from './aggregation-settings.js';
import type { JobContext } from './context.js';
import { withEveryVcenterLock } from './job-lock.js';
import { withJobRun } from './job-run.js';
import { totalsInputsFromGroups } from './period-totals-input.js';

export interface BackfillInput {
  lockWaitSeconds: number;
}

export type BackfillOutcome =
  | { ok: true; vcenter: string; hourly: number; latest: number | null; daily: number; monthly: number; durationMs: number }
  | { ok: false; vcenter: string; error: string };

export type BackfillResult =
  | { skipped: true; holder: string }
  /** closedMonthsKept: the closed months (YYYY-MM) whose totals rows were left as they were. */
  | { skipped: false; outcomes: BackfillOutcome[]; closedMonthsKept: string[] };

// Whole-history bounds for the span and registry readers.
const ALL_TIME = { start: 0, end: Number.MAX_SAFE_INTEGER };

/**
 * Runs under the aggregation lock: an aggregation replacing a summary while its totals are rebuilt
 * would otherwise leave totals of the old rows.
 */
export async function runBackfill(ctx: JobContext, settings: AggregationSettings, input: BackfillInput): Promise<BackfillResult> {
  const vcenters = await listVcenters(ctx.store);
  const rules = chargeRules(settings);
  return withJobRun(ctx, { job: 'backfill' }, async (run) => {
    const locked = await withEveryVcenterLock(ctx, 'aggregate', input.lockWaitSeconds, async () => {
      const outcomes: BackfillOutcome[] = [];
      // Under the aggregation lock, which close and reopen take too.
      const closures = await readClosures(ctx.store);
      const kept = closures.map((c) => ({ start: c.month, end: nextMonthStartOf(c.month) }));
      const open = (time: number) => closureAt(closures, time) === undefined;
      for (const vc of vcenters) {
        const started = ctx.now();
        try {
          const counts = await ctx.store.transaction(async (tx) => {
            await excludeCaptures(tx);
            await deleteVcenterTotals(tx, vc.id, kept);
            const times = await readSampleTimes(tx, vc.id, ALL_TIME.start, ALL_TIME.end);
            const spans = await readPeriodSpans(tx, vc.id, ALL_TIME.start, ALL_TIME.end);
            // Computed over every time (the running sums need them all), written outside closed months.
            const hourly = hourlyTotalsFromSpans(times, spans, rules).filter((h) => open(h.snapshotTime));
            await insertHourlyTotals(tx, vc.id, hourly);
            const latest = hourly.at(-1);
            // Upserts the latest row and rewrites its (identical) hourly row: one code path for "latest".
            // (A latest snapshot in a closed month keeps its latest row: deleteVcenterTotals left it.)
            if (latest && latest.snapshotTime === times.at(-1)) await writeSnapshotTotals(tx, vc.id, latest.snapshotTime, latest.totals);

            const summaries = await readRegisteredSummaries(tx, vc.id);
            const byName = settings.srm_activeactive_vms.length > 0;
            const written: Record<PeriodKind, number> = { daily: 0, monthly: 0 };
            for (const kind of ['daily', 'monthly'] as const) {
              const groups = groupByPeriod(await readSummaryTotalsGroups(tx, kind, vc.id, byName));
              for (const summary of summaries.filter((s) => s.kind === kind && open(s.periodStart))) {
                const inputs = totalsInputsFromGroups(groups.get(summary.periodStart) ?? [], rules);
                const expected = summary.expectedSamples ?? expectedOf(kind, summary.periodStart, settings);
                const periodsPerMonth = kind === 'daily' ? daysInMonthOf(summary.periodStart) : 1;
                await writePeriodTotals(tx, vc.id, kind, summary.periodStart, periodTotals(inputs, summary.totalSamples, periodsPerMonth), {
                  expected,
                  present: summary.totalSamples,
                });
                written[kind]++;
              }
            }
            return { hourly: hourly.length, latest: latest?.snapshotTime ?? null, ...written };
          });
          outcomes.push({ ok: true, vcenter: vc.name, ...counts, durationMs: ctx.now() - started });
        } catch (error) {
          if (error instanceof VctpError && (error.code === 'usage' || error.code === 'interrupted')) throw error;
          const message = (error as Error).message;
          ctx.log.error({ vcenter: vc.name, err: message }, 'backfill failed; the vCenter keeps its previous totals');
          outcomes.push({ ok: false, vcenter: vc.name, error: message });
        }
      }
      const failed = outcomes.filter((o) => !o.ok);
      run.rows(outcomes.reduce((n, o) => n + (o.ok ? o.hourly + o.daily + o.monthly : 0), 0));
      if (failed.length > 0) run.fail(failed.map((f) => `${f.vcenter}: ${'error' in f ? f.error : ''}`).join('; '));
      const closedMonthsKept = closures.map((c) => c.label);
      if (closedMonthsKept.length > 0) ctx.log.info({ closedMonthsKept }, `totals of closed months kept as they were: ${closedMonthsKept.join(', ')}`);
      return { outcomes, closedMonthsKept };
    });
    if (!locked.acquired) {
      run.skip(`lock held by ${locked.holder}`);
      return { skipped: true, holder: locked.holder };
    }
    const { outcomes, closedMonthsKept } = locked.result;
    return { skipped: false, outcomes, closedMonthsKept };
  });
}

function expectedOf(kind: PeriodKind, start: number, settings: AggregationSettings): number {
  const period = kind === 'daily' ? dayPeriod(formatDay(start)) : monthPeriod(formatMonth(start));
  return expectedSamples(period, settings.vcenter_inventory_snapshot_seconds);
}

function groupByPeriod(groups: readonly SummaryTotalsGroup[]): Map<number, SummaryTotalsGroup[]> {
  const map = new Map<number, SummaryTotalsGroup[]>();
  for (const g of groups) {
    const list = map.get(g.periodStart);
    if (list) list.push(g);
    else map.set(g.periodStart, [g]);
  }
  return map;
}

// The integer quantities a VM adds to a snapshot's totals: counts, vCPUs, MiB of RAM, 0.01 GiB of
// disk. Adding and removing them as spans open and close is exact, whatever the order.
const COUNT_KEYS = [
  'vmCount',
  'poweredOnCount',
  'templateCount',
  'srmPlaceholderCount',
  'nodeChargeVmCount',
  'chargeableVmCount',
  'vcpuTotal',
  'tinVmCount',
  'bronzeVmCount',
  'silverVmCount',
  'goldVmCount',
  'untieredVmCount',
] as const satisfies readonly (keyof VcenterTotals)[];
const RAM = COUNT_KEYS.length;
const DISK = RAM + 1;

function spanState(span: AggregationSpan): SpanState {
  return {
    name: span.name,
    identity: { vmUuid: null, instanceUuid: null, eventKey: null, cloudId: null },
    placement: { resourcePool: null, tier: span.tier, datacenter: null, cluster: span.cluster, folder: null },
    provisionedDiskGb: span.provisionedDiskGb,
    vcpuCount: span.vcpuCount,
    ramGb: span.ramGb,
    isTemplate: span.isTemplate,
    poweredOn: span.poweredOn,
    srmPlaceholder: span.srmPlaceholder,
  };
}

/** What one span adds to a snapshot's totals, by snapshotTotals() itself, as integers. */
function contribution(span: AggregationSpan, rules: ChargeRules): number[] {
  const state = spanState(span);
  const one = snapshotTotals([{ state, chargeClass: rules.classify({ ...state, cluster: span.cluster }) }]);
  return [...COUNT_KEYS.map((key) => one[key]), ramMb(one.ramGbTotal), diskCentiGb(one.diskGbTotal)];
}

/**
 * The totals of every snapshot time (ascending) from the spans: the same numbers snapshotTotals()
 * gives over the VMs present then. One pass over the times, adding spans as they open and
 * removing them once closed, with running integer sums: O(spans + times), never O(spans x times).
 */
export function hourlyTotalsFromSpans(
  times: readonly number[],
  spans: readonly AggregationSpan[],
  rules: ChargeRules,
): { snapshotTime: number; totals: VcenterTotals }[] {
  const parts = spans.map((span) => contribution(span, rules));
  const byFirst = spans.map((_, i) => i).sort((a, b) => spans[a]!.firstSeen - spans[b]!.firstSeen);
  const byLast = spans
    .map((_, i) => i)
    .filter((i) => spans[i]!.lastSeen !== null)
    .sort((a, b) => spans[a]!.lastSeen! - spans[b]!.lastSeen!);
  const running = new Array<number>(DISK + 1).fill(0);
  const add = (part: readonly number[], sign: 1 | -1) => {
    for (let k = 0; k < running.length; k++) running[k]! += sign * part[k]!;
  };
  const out: { snapshotTime: number; totals: VcenterTotals }[] = [];
  let opened = 0;
  let closed = 0;
  for (const t of times) {
    while (opened < byFirst.length && spans[byFirst[opened]!]!.firstSeen <= t) add(parts[byFirst[opened++]!]!, 1);
    while (closed < byLast.length && spans[byLast[closed]!]!.lastSeen! < t) add(parts[byLast[closed++]!]!, -1);
    const totals = emptyTotals();
    COUNT_KEYS.forEach((key, k) => (totals[key] = running[k]!));
    totals.ramGbTotal = running[RAM]! / RAM_UNITS_PER_GB;
    totals.diskGbTotal = running[DISK]! / DISK_UNITS_PER_GB;
    out.push({ snapshotTime: t, totals });
  }
  return out;
}
