// `vctp month list` and GET /api/months: the closed months (who, when, why, the currency and rate
// cards that priced each) and every close and reopen ever recorded, oldest first.
import { readClosureEvents, readClosures } from '../store/month-closure-repository.js';
import type { QueryContext } from './context.js';

export interface ClosedMonthView {
  month: string;
  closedAt: number;
  closedBy: string;
  reason: string;
  currency: string | null;
  rateCards: unknown[];
}

export interface MonthEventView {
  id: number;
  month: string;
  action: 'close' | 'reopen';
  time: number;
  by: string;
  reason: string;
}

export interface MonthsView {
  closed: ClosedMonthView[];
  events: MonthEventView[];
}

export async function listMonths(ctx: QueryContext): Promise<MonthsView> {
  const closed = (await readClosures(ctx.store)).map((c) => ({
    month: c.label,
    closedAt: c.closedAt,
    closedBy: c.closedBy,
    reason: c.reason,
    currency: c.currency,
    rateCards: parseCards(c.rateCards),
  }));
  const events = (await readClosureEvents(ctx.store)).map((e) => ({ id: e.id, month: e.label, action: e.action, time: e.at, by: e.by, reason: e.reason }));
  return { closed, events };
}

/** Stored by vctp as a JSON list; anything else (a hand-edited row) is shown as no cards. */
function parseCards(text: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
