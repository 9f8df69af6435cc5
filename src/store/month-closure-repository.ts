// Reads and writes of closed months (month_closures, month_closure_events); the rules are in
// src/core/month-closure.ts. The guards every job calls before it changes a period read here.
import { sql } from 'drizzle-orm';
import { assertMonthsOpen, type MonthClosure } from '../core/month-closure.js';
import { formatMonth, monthStartOf } from '../core/periods.js';
import { isRepresentableTime } from '../core/time-bounds.js';
import type { SqlExecutor } from './executor.js';
import { num } from './sql-util.js';

export type ClosureAction = 'close' | 'reopen';

export interface ClosureEvent {
  id: number;
  month: number;
  label: string;
  action: ClosureAction;
  at: number;
  by: string;
  reason: string;
}

function closureOf(r: Record<string, unknown>): MonthClosure {
  const month = num(r.month);
  return {
    month,
    label: formatMonth(month),
    closedAt: num(r.closed_at),
    closedBy: String(r.closed_by),
    reason: String(r.reason ?? ''),
    currency: r.currency == null ? null : String(r.currency),
    rateCards: String(r.rate_cards ?? '[]'),
  };
}

/** Every closed month, oldest first. */
export async function readClosures(db: SqlExecutor): Promise<MonthClosure[]> {
  return (await db.all<Record<string, unknown>>(sql`SELECT * FROM month_closures ORDER BY month`)).map(closureOf);
}

/** The closed months that overlap [start, end), oldest first. */
export async function readClosuresIn(db: SqlExecutor, start: number, end: number): Promise<MonthClosure[]> {
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT * FROM month_closures WHERE month >= ${monthStartOf(start)} AND month < ${end} ORDER BY month`);
  return rows.map(closureOf);
}

/**
 * The guard of every job that would change [start, end) (a period's summaries, a snapshot, a VM's
 * lifecycle): refuses with code 'closed' when a month overlapping it is closed. One indexed read.
 */
export async function assertOpen(db: SqlExecutor, subject: string, start: number, end: number): Promise<void> {
  // A time no date represents (a mistaken --at stored before vctp refused them) lies in no month.
  if (!isRepresentableTime(start) || !isRepresentableTime(end)) return;
  assertMonthsOpen(await readClosuresIn(db, start, end), subject, start, end);
}

export async function insertClosure(tx: SqlExecutor, c: Omit<MonthClosure, 'label'>): Promise<void> {
  await tx.run(sql`
    INSERT INTO month_closures (month, closed_at, closed_by, reason, currency, rate_cards)
    VALUES (${c.month}, ${c.closedAt}, ${c.closedBy}, ${c.reason}, ${c.currency}, ${c.rateCards})`);
}

/** Removes the month's closure; the number of rows removed (0: it was not closed). */
export async function deleteClosure(tx: SqlExecutor, month: number): Promise<number> {
  return tx.run(sql`DELETE FROM month_closures WHERE month = ${month}`);
}

export async function insertClosureEvent(tx: SqlExecutor, e: Omit<ClosureEvent, 'id' | 'label'>): Promise<number> {
  const rows = await tx.all<{ id: number }>(sql`
    INSERT INTO month_closure_events (month, action, at, by, reason)
    VALUES (${e.month}, ${e.action}, ${e.at}, ${e.by}, ${e.reason})
    RETURNING id`);
  return num(rows[0]!.id);
}

/** Every close and reopen, oldest first; of one month when given. */
export async function readClosureEvents(db: SqlExecutor, month?: number): Promise<ClosureEvent[]> {
  const where = month === undefined ? sql`` : sql` WHERE month = ${month}`;
  const rows = await db.all<Record<string, unknown>>(sql`SELECT * FROM month_closure_events${where} ORDER BY id`);
  return rows.map((r) => ({
    id: num(r.id),
    month: num(r.month),
    label: formatMonth(num(r.month)),
    action: String(r.action) as ClosureAction,
    at: num(r.at),
    by: String(r.by),
    reason: String(r.reason ?? ''),
  }));
}

/** The vCenters with any hourly snapshot or daily or monthly summary in [start, end), by name. */
export async function vcentersWithHistory(db: SqlExecutor, start: number, end: number): Promise<{ id: number; name: string }[]> {
  const rows = await db.all<{ id: number; name: string }>(sql`
    SELECT v.id, v.name FROM vcenters v
    WHERE EXISTS (SELECT 1 FROM snapshot_registry r WHERE r.vcenter_id = v.id AND r.kind IN ('hourly', 'daily', 'monthly') AND r.snapshot_time >= ${start} AND r.snapshot_time < ${end})
    ORDER BY v.name`);
  return rows.map((r) => ({ id: num(r.id), name: String(r.name) }));
}

/** How many months are closed (vctp status). */
export async function countClosures(db: SqlExecutor): Promise<number> {
  const rows = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM month_closures`);
  return num(rows[0]?.n);
}
