// The window a trace covers when the caller gives no bounds: the CLI's `vctp trace` and the API's
// GET /api/vm/trace take the same defaults.
import type { TraceView } from './trace.js';

const DAY = 86_400;

/** Days before `to` a trace covers by default: a week of snapshots, or 45 days of summaries. */
export const TRACE_DEFAULT_DAYS: Readonly<Record<TraceView, number>> = { hourly: 7, daily: 45 };

/**
 * The trace's inclusive bounds in unix seconds: `to` defaults to now; `from` to `to` minus the
 * view's default days (daily: from 00:00 of that day, so whole days are shown).
 */
export function traceWindow(view: TraceView, nowSeconds: number, from?: number, to?: number): { from: number; to: number } {
  const end = to ?? nowSeconds;
  if (from !== undefined) return { from, to: end };
  const start = view === 'hourly' ? end - TRACE_DEFAULT_DAYS.hourly * DAY : end - (end % DAY) - TRACE_DEFAULT_DAYS.daily * DAY;
  return { from: start, to: end };
}
