// `vctp month close YYYY-MM` and `vctp month reopen YYYY-MM` (and POST /api/months/{month}/close|reopen):
// a closed month's monthly summaries, totals and cost are final. Closing records who, when, why,
// the currency and the rate cards that priced the month (month_closures), and the act itself
// (month_closure_events), in one transaction; reopening deletes the closure and records that too.
// Both are job runs (job_runs), under the aggregation lock so that no aggregation, repair,
// retention or backfill runs meanwhile, and, on PostgreSQL, the capture lock, so that no snapshot
// of the month commits between the check that its summaries are fresh and the close.
//
// Refused before anything runs (no job run): a month that has not ended, one whose monthly summary
// is missing or stale for a vCenter with history in it, one already closed (close) or not closed
// (reopen), a reopen without a reason.
import { VctpError } from '../core/errors.js';
import { cardsPricing, closedByText, closeRefusal, type DatedCard, type MonthClosure } from '../core/month-closure.js';
import type { Period } from '../core/periods.js';
import { excludeCaptures } from '../store/capture-lock.js';
import type { SqlExecutor } from '../store/executor.js';
import { deleteClosure, insertClosure, insertClosureEvent, readClosuresIn, vcentersWithHistory } from '../store/month-closure-repository.js';
import { type JobContext, unixSeconds } from './context.js';
import { withEveryVcenterLock } from './job-lock.js';
import { withJobRun } from './job-run.js';
import { readMonthStaleness } from './month-staleness.js';

export interface MonthCloseSettings {
  monthly_aggregation_source: 'daily' | 'hourly';
  /** settings.rate_cards, kept as given (src/core/rate-cards.ts RateCardSetting): `vctp explain` reads them back. */
  rate_cards?: readonly DatedCard[];
}

export interface MonthChangeInput {
  month: Period;
  /** Trimmed; '' allowed for a close, required for a reopen (core/month-closure.ts closureReason). */
  reason: string;
  /** Who: the OS user (src/config/os-user.ts) or the request's user. */
  user: string;
  lockWaitSeconds: number;
}

export type MonthCloseResult =
  | { skipped: true; holder: string }
  | {
      skipped: false;
      month: string;
      closedAt: number;
      closedBy: string;
      reason: string;
      currency: string | null;
      /** The rate cards that priced the month, as in the settings. */
      rateCards: unknown[];
      /** The vCenters whose figures of the month are now final. */
      vcenters: string[];
      /** Its month_closure_events row. */
      eventId: number;
    };

export type MonthReopenResult =
  | { skipped: true; holder: string }
  | {
      skipped: false;
      month: string;
      reopenedAt: number;
      reopenedBy: string;
      reason: string;
      /** The closure it undid. */
      closedAt: number;
      closedBy: string;
      eventId: number;
    };

export async function runMonthClose(ctx: JobContext, settings: MonthCloseSettings, input: MonthChangeInput): Promise<MonthCloseResult> {
  const { month } = input;
  // Refusals first, outside the run; checked again under the locks, where they are final.
  await assertClosable(ctx, ctx.store, settings, month);
  return withJobRun(ctx, { job: 'month-close' }, async (run) => {
    const locked = await withEveryVcenterLock(ctx, 'aggregate', input.lockWaitSeconds, () =>
      ctx.store.transaction(async (tx) => {
        await excludeCaptures(tx);
        const names = await assertClosable(ctx, tx, settings, month);
        const cards = cardsPricing(settings.rate_cards ?? [], month.start, month.end);
        const closure = {
          month: month.start,
          closedAt: unixSeconds(ctx.now()),
          closedBy: input.user,
          reason: input.reason,
          currency: cards[0]?.currency ?? null,
          rateCards: JSON.stringify(cards),
        };
        await insertClosure(tx, closure);
        const eventId = await insertClosureEvent(tx, { month: month.start, action: 'close', at: closure.closedAt, by: input.user, reason: input.reason });
        return { closure, cards, names, eventId };
      }),
    );
    if (!locked.acquired) {
      run.skip(`lock held by ${locked.holder}`);
      return { skipped: true, holder: locked.holder };
    }
    const { closure, cards, names, eventId } = locked.result;
    run.rows(1);
    ctx.log.info({ month: month.label, by: closure.closedBy, reason: closure.reason, vcenters: names, eventId }, `month ${month.label} closed: its figures are final`);
    return {
      skipped: false,
      month: month.label,
      closedAt: closure.closedAt,
      closedBy: closure.closedBy,
      reason: closure.reason,
      currency: closure.currency,
      rateCards: cards as unknown[],
      vcenters: names,
      eventId,
    };
  });
}

export async function runMonthReopen(ctx: JobContext, input: MonthChangeInput): Promise<MonthReopenResult> {
  const { month } = input;
  if (input.reason === '') throw new VctpError('usage', '--reason: say why the month is reopened (it is kept with the month\'s history)');
  await closureOf(ctx.store, month);
  return withJobRun(ctx, { job: 'month-reopen' }, async (run) => {
    const locked = await withEveryVcenterLock(ctx, 'aggregate', input.lockWaitSeconds, () =>
      ctx.store.transaction(async (tx) => {
        const closure = await closureOf(tx, month);
        await deleteClosure(tx, month.start);
        const at = unixSeconds(ctx.now());
        const eventId = await insertClosureEvent(tx, { month: month.start, action: 'reopen', at, by: input.user, reason: input.reason });
        return { closure, at, eventId };
      }),
    );
    if (!locked.acquired) {
      run.skip(`lock held by ${locked.holder}`);
      return { skipped: true, holder: locked.holder };
    }
    const { closure, at, eventId } = locked.result;
    run.rows(1);
    ctx.log.info({ month: month.label, by: input.user, reason: input.reason, closedBy: closure.closedBy, eventId }, `month ${month.label} reopened`);
    return {
      skipped: false,
      month: month.label,
      reopenedAt: at,
      reopenedBy: input.user,
      reason: input.reason,
      closedAt: closure.closedAt,
      closedBy: closure.closedBy,
      eventId,
    };
  });
}

/** The month's closure, or a refusal: it is not closed. */
async function closureOf(db: SqlExecutor, month: Period): Promise<MonthClosure> {
  const closure = (await readClosuresIn(db, month.start, month.end))[0];
  if (!closure) throw new VctpError('usage', `${month.label}: the month is not closed; there is nothing to reopen`);
  return closure;
}

/** Refuses a month that is closed already, has not ended, or has a missing or stale monthly summary; else the vCenters it covers. */
async function assertClosable(ctx: JobContext, db: SqlExecutor, settings: MonthCloseSettings, month: Period): Promise<string[]> {
  const closed = (await readClosuresIn(db, month.start, month.end))[0];
  if (closed) {
    const why = closed.reason ? ` ("${closed.reason}")` : '';
    throw new VctpError('closed', `${month.label}: the month is already closed (${closedByText(closed)}${why})`);
  }
  const vcenters = await vcentersWithHistory(db, month.start, month.end);
  const states = [];
  for (const vc of vcenters) {
    states.push({ vcenter: vc.name, staleness: await readMonthStaleness(db, vc.id, month, settings.monthly_aggregation_source) });
  }
  const refusal = closeRefusal(month, unixSeconds(ctx.now()), states);
  if (refusal) throw refusal;
  return vcenters.map((v) => v.name);
}
