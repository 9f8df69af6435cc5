// `vctp totals`: vCenter totals over time, straight from the vcenter_aggregate_totals cache.
// Hourly rows are one snapshot's counts; daily and monthly rows are prorated over the period
// (src/core/period-totals.ts) and carry the samples expected and present, so a period with missed
// snapshots is flagged rather than passed off as complete. Daily and monthly rows carry the period's
// cost (src/core/period-totals.ts) in the rate cards' currency.
import { VctpError } from '../core/errors.js';
import { formatDay, formatMonth } from '../core/periods.js';
import type { Money } from '../core/cost.js';
import type { VcenterTotals } from '../core/totals.js';
import { readAggregateTotals, type TotalsKind } from '../store/totals-read-repository.js';

export type { TotalsKind };
import { listVcenters } from '../store/vcenter-repository.js';
import { unixSeconds } from '../core/periods.js';
import type { QueryContext } from './context.js';

const DAY = 86_400;

export interface TotalsInput {
  view: TotalsKind;
  /** Rows of periods that overlap the last `days` days (monthly: the months covering them). */
  days: number;
  vcenters?: readonly string[];
  /** The rate cards' currency (settings.rate_cards), null without rate cards: reported with the cost. */
  currency?: string | null;
}

export interface TotalsRow {
  vcenter: string;
  /** Snapshot time (hourly) or the period's start (daily, monthly), unix seconds. */
  time: number;
  /** ISO time, YYYY-MM-DD or YYYY-MM. */
  period: string;
  totals: VcenterTotals;
  /**
   * Daily and monthly rows: the period's cost in `currency` (0 without rate cards); null on hourly
   * rows (vctp prices days and months) and on periods aggregated before vctp priced them.
   */
  cost: Money | null;
  /** Daily and monthly rows; null on hourly ones. */
  samples: { expected: number; present: number; missing: number } | null;
}

export interface TotalsReport {
  view: TotalsKind;
  days: number;
  /** Start of the first period shown. */
  since: number;
  /** The currency of every row's cost; null without rate cards. */
  currency: string | null;
  rows: TotalsRow[];
}

export async function readTotals(ctx: QueryContext, input: TotalsInput): Promise<TotalsReport> {
  if (!Number.isInteger(input.days) || input.days < 1) throw new VctpError('usage', `--days ${input.days}: expected a whole number >= 1`);
  const known = await listVcenters(ctx.store);
  const unknown = (input.vcenters ?? []).filter((name) => !known.some((v) => v.name === name));
  if (unknown.length > 0) {
    throw new VctpError('usage', `--vcenter ${unknown.join(', ')}: no snapshots of such a vCenter (known: ${known.map((v) => v.name).join(', ') || 'none'})`);
  }
  const selected = input.vcenters?.length ? known.filter((v) => input.vcenters!.includes(v.name)) : known;
  const since = windowStart(input.view, unixSeconds(ctx.now()), input.days);
  const rows = await readAggregateTotals(ctx.store, input.view, since, selected.map((v) => v.id));
  return {
    view: input.view,
    days: input.days,
    since,
    currency: input.currency ?? null,
    rows: rows.map((r) => ({
      vcenter: r.vcenter,
      time: r.snapshotTime,
      period: periodLabel(input.view, r.snapshotTime),
      totals: r.totals,
      cost: r.cost,
      samples:
        r.expectedSamples === null || r.presentSamples === null
          ? null
          : { expected: r.expectedSamples, present: r.presentSamples, missing: Math.max(0, r.expectedSamples - r.presentSamples) },
    })),
  };
}

/** hourly: now - days; daily: 00:00 of the day that contains it; monthly: the 1st of its month. */
export function windowStart(view: TotalsKind, now: number, days: number): number {
  const since = now - days * DAY;
  if (view === 'hourly') return since;
  const dayStart = since - (since % DAY);
  if (view === 'daily') return dayStart;
  const d = new Date(dayStart * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}

function periodLabel(view: TotalsKind, time: number): string {
  if (view === 'daily') return formatDay(time);
  if (view === 'monthly') return formatMonth(time);
  return new Date(time * 1000).toISOString().replace('.000Z', 'Z');
}
