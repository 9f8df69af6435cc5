// What both dialects' statements share: the target table and its column list, in the order of
// summaryColumns() (the app engine's bulk insert), so each statement's SELECT list lines up with it.
import { sql, type SQL } from 'drizzle-orm';
import type { PeriodKind } from '../../core/periods.js';
import { SUMMARY_TABLE, summaryColumns } from '../summary-repository.js';

export interface SummaryTarget {
  table: SQL;
  columns: SQL;
}

export function summaryTarget(kind: PeriodKind): SummaryTarget {
  return {
    table: sql.raw(SUMMARY_TABLE[kind].table),
    columns: sql.raw(summaryColumns(kind).map((c) => c.name).join(', ')),
  };
}

/**
 * A period's bounds and its TotalSamples: either counted from the registry (daily) or the caller's
 * (monthly: from the daily registry rows, or the month's hourly times).
 */
export interface SpanPeriod {
  vcenterId: number;
  start: number;
  end: number;
  totalSamples: number | null;
}
