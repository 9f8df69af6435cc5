// `vctp repair`: finds the days and months that have snapshots but no summary, or a summary older
// than its inputs, and aggregates them. Days first, then months (so a month sees its repaired days).
// The current day and month are never aggregated here: they have not ended (`aggregate --partial`).
// Days and months of a closed month (vctp month close) are left as they are, listed as skipped: a
// repair over a range or --all must not fail because a month in it is final.
import { VctpError } from '../core/errors.js';
import { closedByText, closureAt, type MonthClosure } from '../core/month-closure.js';
import { dailyStaleness, type Staleness } from '../core/staleness.js';
import { dayPeriod, formatDay, formatMonth, monthPeriod } from '../core/periods.js';
import { readClosures } from '../store/month-closure-repository.js';
import { earliestHistory, type MonthlyRegistryEntry, readMonthlyRegistry } from '../store/repair-repository.js';
import { readDailyRegistry, readHourlyDays } from '../store/summary-repository.js';
import { listVcenters } from '../store/vcenter-repository.js';
import { aggregateDay } from './aggregate-daily.js';
import { aggregateMonth } from './aggregate-monthly.js';
import type { AggregationSettings, EngineName } from './aggregation-settings.js';
import { type JobContext, unixSeconds } from './context.js';
import { withEveryVcenterLock } from './job-lock.js';
import { withJobRun } from './job-run.js';
import { readMonthStaleness } from './month-staleness.js';
import { retentionCuts, type RetentionSettings } from './retention.js';

const DAY = 86_400;
/** Default look-back: the last 45 complete days (the spec's "Hourly Detail 45d"). */
export const REPAIR_DEFAULT_DAYS = 45;

export type RepairSettings = AggregationSettings & RetentionSettings;

export interface RepairInput {
  all?: boolean;
  /** First and last day to look at (00:00 UTC of each, inclusive). */
  from?: number;
  to?: number;
  vcenters?: readonly string[];
  engine: EngineName;
  lockWaitSeconds: number;
}

export interface RepairAction extends Staleness {
  vcenter: string;
  kind: 'daily' | 'monthly';
  period: string;
  result: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  message?: string;
  rows?: number;
  /** Monthly from daily summaries: days outside the range that aggregateMonth brought up to date first. */
  daysRefreshed?: string[];
}

export type RepairResult =
  | { skipped: true; holder: string }
  | { skipped: false; engine: EngineName; from: string | null; to: string | null; actions: RepairAction[] };

/** Month starts of every month that overlaps [from, to] (day starts). */
function monthsOverlapping(from: number, to: number): number[] {
  const months: number[] = [];
  const first = new Date(from * 1000);
  for (let i = 0; ; i++) {
    const start = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + i, 1) / 1000;
    if (start > to) return months;
    months.push(start);
  }
}

export async function runRepair(ctx: JobContext, settings: RepairSettings, input: RepairInput): Promise<RepairResult> {
  const known = await listVcenters(ctx.store);
  const unknown = (input.vcenters ?? []).filter((name) => !known.some((v) => v.name === name));
  if (unknown.length > 0) {
    throw new VctpError('usage', `--vcenter ${unknown.join(', ')}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
  }
  const selected = input.vcenters?.length ? known.filter((v) => input.vcenters!.includes(v.name)) : known;
  const now = unixSeconds(ctx.now());
  const lastDay = now - (now % DAY) - DAY;
  let from: number;
  let to: number;
  if (input.all) {
    const earliest = await earliestHistory(ctx.store, selected.map((v) => v.id));
    to = lastDay;
    from = earliest === null ? to + DAY : earliest - (earliest % DAY);
  } else {
    to = Math.min(input.to ?? lastDay, lastDay);
    from = input.from ?? to - (REPAIR_DEFAULT_DAYS - 1) * DAY;
  }
  const hourlyCut = retentionCuts(now, settings).hourlyCut;

  return withJobRun(ctx, { job: 'repair' }, async (run) => {
    const locked = await withEveryVcenterLock(ctx, 'aggregate', input.lockWaitSeconds, async () => {
      const actions: RepairAction[] = [];
      const base = { engine: input.engine };
      const closures = await readClosures(ctx.store);
      /** A stale summary of a closed month: listed as skipped, not aggregated. */
      const skipClosed = (action: RepairAction, closure: MonthClosure | undefined): boolean => {
        if (!closure) return false;
        actions.push({ ...action, result: 'skipped', message: `the month ${closure.label} is closed (${closedByText(closure)}); vctp month reopen ${closure.label} --reason TEXT first` });
        return true;
      };
      const attempt = async (action: RepairAction, run: () => Promise<Partial<RepairAction>>) => {
        try {
          Object.assign(action, await run(), { result: 'ok' });
        } catch (error) {
          if (error instanceof VctpError && ['usage', 'closed', 'interrupted'].includes(error.code)) throw error;
          action.result = 'failed';
          action.message = (error as Error).message;
          ctx.log.error({ vcenter: action.vcenter, period: action.period, err: action.message }, 'repair: aggregation failed; the previous summary is kept');
        }
        actions.push(action);
      };

      for (const vc of from <= to ? selected : []) {
        const registered = new Map((await readDailyRegistry(ctx.store, vc.id, from, to + DAY)).map((d) => [d.day, d]));
        const repaired: string[] = [];
        for (const day of await readHourlyDays(ctx.store, vc.id, from, to + DAY)) {
          const staleness = dailyStaleness(day, registered.get(day.day));
          if (!staleness) continue;
          const period = formatDay(day.day);
          const action: RepairAction = { vcenter: vc.name, kind: 'daily', period, ...staleness, result: 'ok' };
          if (skipClosed(action, closureAt(closures, day.day))) continue;
          await attempt(action, async () => {
            const outcome = await aggregateDay(ctx, settings, { ...base, period: dayPeriod(period), vcenterId: vc.id, vcenter: vc.name });
            repaired.push(period);
            return { rows: outcome.rows };
          });
        }

        for (const start of monthsOverlapping(from, to)) {
          const month = monthPeriod(formatMonth(start));
          if (month.end > now) continue;
          const monthly = (await readMonthlyRegistry(ctx.store, vc.id, month.start, month.start + 1))[0];
          const repairedDays = repaired.filter((d) => d.startsWith(month.label));
          const staleness = await readMonthStaleness(ctx.store, vc.id, month, settings.monthly_aggregation_source, repairedDays);
          if (!staleness) continue;
          const action: RepairAction = { vcenter: vc.name, kind: 'monthly', period: month.label, ...staleness, result: 'ok' };
          if (skipClosed(action, closureAt(closures, month.start))) continue;
          // Built from the spans, a month whose early days retention has removed would come out short.
          if (settings.monthly_aggregation_source === 'hourly' && month.start < hourlyCut) {
            if (monthly) continue;
            actions.push({
              ...action,
              result: 'skipped',
              message: `hourly snapshots before ${formatDay(hourlyCut)} are past hourly_snapshot_max_age_days; with monthly_aggregation_source hourly this month cannot be rebuilt whole`,
            });
            continue;
          }
          await attempt(action, async () => {
            const outcome = await aggregateMonth(ctx, settings, { ...base, period: month, vcenterId: vc.id, vcenter: vc.name });
            return { rows: outcome.rows, ...(outcome.daysRefreshed.length > 0 ? { daysRefreshed: outcome.daysRefreshed } : {}) };
          });
        }
      }

      const failed = actions.filter((a) => a.result === 'failed');
      run.rows(actions.filter((a) => a.result === 'ok').length);
      if (failed.length > 0) run.fail(failed.map((f) => `${f.vcenter} ${f.period}: ${f.message}`).join('; '));
      return actions;
    });
    if (!locked.acquired) {
      run.skip(`lock held by ${locked.holder}`);
      return { skipped: true, holder: locked.holder };
    }
    return {
      skipped: false,
      engine: input.engine,
      from: from <= to ? formatDay(from) : null,
      to: from <= to ? formatDay(to) : null,
      actions: locked.result,
    };
  });
}
