// Writes one report workbook from its model: front page, Totals, then (daily and monthly reports)
// Allocation, a Cost sheet per report cost dimension, Charts, Summary and the totals over time,
// and the VM sheet last, streamed page by page, then the native charts. The model is data built by src/jobs/report.ts; nothing here reads the database.
import type { CostSetting } from '../core/report-currency.js';
import type { PivotPlacement } from '../core/report-pivots.js';
import { type AllocationSheetModel, type CostSheetModel, costSheetName, writeAllocationSheet, writeCostSheet } from './allocation-sheet.js';
import { type FrontSheetModel, writeFrontSheet } from './front-sheet.js';
import { writeChartsSheet } from './charts-sheet.js';
import { intervalCharts, type IntervalSheetModel, writeIntervalSheet } from './interval-sheet.js';
import { writeSummarySheet } from './summary-sheet.js';
import { ALL_VCENTERS, type TotalsSheetModel, writeTotalsSheet } from './totals-sheet.js';
import { VM_SHEET } from './vm-sheet.js';
import { type CellValue, type Column, ReportWorkbook } from './workbook-stream.js';
import { addNativeCharts, type ChartSpec } from './xlsx-charts.js';

/** How often the VM sheet waits for the zip stream to catch up (see TableSheet.flushed). */
const FLUSH_EVERY_ROWS = 1_000;

export interface ReportDocument {
  generatedAt: Date;
  /** Every printed page's footer: the report and its period for people (`vctp monthly report 2026-10-01 to 2026-10-31`). */
  footer: string;
  front: FrontSheetModel;
  /** Cost columns and sheets (daily and monthly reports with rate cards), or none. */
  cost: CostSetting | null;
  totals: TotalsSheetModel;
  /** Daily and monthly reports: the period's allocation by tier and by each report cost dimension and tier. */
  allocation?: AllocationSheetModel;
  /** One Cost sheet per settings.report_cost_dimensions entry. */
  costs?: CostSheetModel[];
  intervals?: IntervalSheetModel;
  summary?: PivotPlacement[];
  vmColumns: readonly Column[];
  /** How many of vmColumns (the first) a printout shows (src/reports/vm-sheet.ts VmSheetLayout). */
  vmPrinted: number;
  /** The VM sheet's rows, a page at a time (cell values in vmColumns order). */
  vmPages: () => AsyncIterable<CellValue[][]>;
}

export interface WrittenReport {
  vmRows: number;
  charts: number;
}

export async function writeReportWorkbook(doc: ReportDocument, path: string): Promise<WrittenReport> {
  const wb = new ReportWorkbook(path, doc.generatedAt, { footer: doc.footer });
  writeFrontSheet(wb, doc.front);
  writeTotalsSheet(wb, doc.totals);
  if (doc.allocation) writeAllocationSheet(wb, doc.allocation, doc.cost);
  const sheetNames = new Set<string>();
  for (const model of doc.costs ?? []) writeCostSheet(wb, costSheetName(model.dimension, sheetNames), model, doc.cost);
  const intervals = doc.intervals;
  const contents = intervals ? intervalCharts(intervals) : [];
  const charts: ChartSpec[] =
    intervals && contents.length > 0
      ? writeChartsSheet(wb, contents, (i) => `${doc.footer}: chart ${i + 1} of ${contents.length}, from the ${ALL_VCENTERS} rows of the ${intervals.sheet} sheet`)
      : [];
  if (doc.summary) writeSummarySheet(wb, doc.summary);
  if (intervals) writeIntervalSheet(wb, intervals);
  const vms = wb.table(VM_SHEET, doc.vmColumns, { freezeColumns: 2, printColumns: doc.vmPrinted });
  let vmRows = 0;
  for await (const page of doc.vmPages()) {
    for (const values of page) {
      vms.add(values);
      if (++vmRows % FLUSH_EVERY_ROWS === 0) await vms.flushed();
    }
  }
  vms.commit();
  await wb.commit();
  if (charts.length > 0) await addNativeCharts(path, path, charts);
  return { vmRows, charts: charts.length };
}
